import { ApiError } from "../../platform/http/errors.ts";

/**
 * The shapes of the names the directory stores: tenant slugs, DNS domains, user principal
 * names, display names. Each `normalise*` returns the stored form or throws a 400 ApiError that
 * says what is wrong; each `is*` answers without throwing (for lookups of untrusted references).
 */

import { isUuid } from "../../platform/ids.ts";
import { hasUnsafeNameCharacters } from "../../platform/text.ts";

export { isUuid };

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

// Tenants are mounted at `/{slug}`, beside these: a tenant named like them would be shadowed
// (`/healthz`) or misread by client libraries (MSAL treats `common`, `organizations` and
// `consumers` as multi-tenant authority aliases, never as one tenant).
const RESERVED_SLUGS = new Set([
  "common",
  "organizations",
  "consumers",
  "api",
  "error",
  "healthz",
  "readyz",
]);

export function normaliseSlug(input: string): string {
  const slug = input.trim();
  if (!SLUG.test(slug))
    throw new ApiError(
      400,
      "tenant.invalid_slug",
      `"${input}" is not a valid tenant slug: use 2 to 63 lower-case letters, digits and hyphens, starting with a letter or digit.`,
    );
  // A uuid-shaped slug would be read as a tenant id and never found by its slug.
  if (isUuid(slug) || RESERVED_SLUGS.has(slug))
    throw new ApiError(
      400,
      "tenant.invalid_slug",
      `"${slug}" cannot be a tenant slug: it is reserved or looks like a tenant id. Choose another.`,
    );
  return slug;
}

// RFC 1035 §2.3.4 and RFC 1123 §2.1: labels of 1-63 letters, digits and inner hyphens, 253
// characters in all. Internationalised names are accepted in their A-label form (xn--...).
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_DOMAIN_LENGTH = 253;

/** True when `value` (already lower-cased) is a DNS name of two labels or more, not an IP address. */
export function isDomainName(value: string): boolean {
  if (value.length === 0 || value.length > MAX_DOMAIN_LENGTH) return false;
  const labels = value.split(".");
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return false;
  // An all-numeric last label is an IPv4 address, not a domain.
  return !/^\d+$/.test(labels[labels.length - 1] ?? "");
}

/** Lower-cases and validates a domain name; a trailing root dot is dropped. */
export function normaliseDomain(input: string): string {
  const domain = input.trim().toLowerCase().replace(/\.$/, "");
  if (!isDomainName(domain))
    throw new ApiError(
      400,
      "domain.invalid",
      `"${input}" is not a valid domain name: give a DNS name such as contoso.com (internationalised names in their xn-- form).`,
    );
  return domain;
}

// RFC 5322 §3.2.3 dot-atom for the local part; RFC 5321 §4.5.3.1: local part at most 64
// octets, a forward path at most 256 including the angle brackets, so 254 for the address.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const MAX_LOCAL_PART = 64;
const MAX_UPN = 254;

/** The user principal name in its stored form (lower-cased), or undefined when malformed. */
export function parseUserPrincipalName(input: string): string | undefined {
  const upn = input.trim().toLowerCase();
  if (upn.length > MAX_UPN) return undefined;
  const at = upn.lastIndexOf("@");
  if (at <= 0) return undefined;
  const local = upn.slice(0, at);
  const domain = upn.slice(at + 1);
  if (local.length > MAX_LOCAL_PART || !LOCAL_PART.test(local)) return undefined;
  return isDomainName(domain) ? upn : undefined;
}

export function normaliseUserPrincipalName(input: string): string {
  const upn = parseUserPrincipalName(input);
  if (upn === undefined)
    throw new ApiError(
      400,
      "user.invalid_upn",
      `"${input}" is not a valid user principal name: use an email-shaped name such as ada@contoso.com.`,
    );
  return upn;
}

// Entra caps displayName at 256 characters.
const MAX_DISPLAY_NAME = 256;

/** Trims a display name and checks it is present and not too long. */
export function normaliseDisplayName(input: string, code: string, what: string): string {
  const name = input.trim();
  if (name.length === 0 || name.length > MAX_DISPLAY_NAME || hasUnsafeNameCharacters(name))
    throw new ApiError(
      400,
      code,
      `The ${what} must be 1 to ${MAX_DISPLAY_NAME} characters, without control characters or text direction overrides (U+202A to U+202E, U+2066 to U+2069).`,
    );
  return name;
}
