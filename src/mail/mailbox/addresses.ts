import { hasUnstorableText } from "../unstorable-text.ts";

/**
 * Email addresses as the Mail service compares them: lower-cased whole (local parts are
 * case-insensitive in practice and UPNs are stored lower-cased), split at the last "@".
 */

// Deliberately simple (RFC 5321 §4.1.2 allows more, e.g. quoted local parts): one "@", no
// whitespace, control characters or angle brackets, a dotted domain. 254 octets: RFC 5321
// §4.5.3.1.3 path limit.
const ADDRESS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused.
  /^[^\s\x00-\x1f\x7f@<>()",;:\\]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
const MAX_ADDRESS_LENGTH = 254;

/** The address lower-cased and trimmed, or undefined when it is not an address Mail can host. */
export function normaliseAddress(value: string): string | undefined {
  const address = value.trim().toLowerCase();
  if (address.length > MAX_ADDRESS_LENGTH || !ADDRESS.test(address) || hasUnstorableText(address))
    return undefined;
  return address;
}

/** The domain part of a normalised address. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1);
}

/** A domain name lower-cased, or undefined when it is not one (labels of letters, digits, "-"). */
export function normaliseDomain(value: string): string | undefined {
  const domain = value.trim().toLowerCase().replace(/\.$/, "");
  return normaliseAddress(`x@${domain}`) ? domain : undefined;
}
