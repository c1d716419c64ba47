import { isOidcScope, type OidcScope } from "./mail-resource.ts";

/**
 * How one token of a `scope` parameter reads, before anything is looked up (Entra's rules):
 * - an OpenID Connect scope (`openid`), never resource-qualified;
 * - `{resource}/{value}`: `{resource}` an Application ID URI or a client id, split at the last
 *   "/" (permission values cannot contain "/", URIs can);
 * - a bare value (`Mail.Read`): a permission of the default resource, Assent Mail, as a bare
 *   value means Microsoft Graph in Entra;
 * - `{resource}/.default`: every delegated permission the client statically requires there.
 */
export type ScopeToken =
  | { kind: "oidc"; value: OidcScope }
  | { kind: "resource"; raw: string; resourceRef: string | undefined; value: string }
  | { kind: "invalid"; raw: string; reason: string };

export const DEFAULT_SUFFIX = ".default";

// `api://assent-mail` or `https://mail.example.com`: a resource named without a permission.
const BARE_RESOURCE = /^[a-z][a-z0-9+.-]*:\/\/[^/]*$/i;

/** Reads one scope token. */
export function parseScopeToken(token: string): ScopeToken {
  if (isOidcScope(token)) return { kind: "oidc", value: token };
  if (BARE_RESOURCE.test(token))
    return {
      kind: "invalid",
      raw: token,
      reason: `"${token}" names a resource but no permission: request "${token}/.default" or "${token}/{permission}"`,
    };
  const slash = token.lastIndexOf("/");
  if (slash === -1) return { kind: "resource", raw: token, resourceRef: undefined, value: token };
  const resourceRef = token.slice(0, slash);
  const value = token.slice(slash + 1);
  if (resourceRef === "" || value === "")
    return {
      kind: "invalid",
      raw: token,
      reason: `"${token}" is not a scope: use "{resource}/{permission}", a bare permission or an OpenID Connect scope`,
    };
  if (isOidcScope(value))
    return {
      kind: "invalid",
      raw: token,
      reason: `"${value}" is an OpenID Connect scope: request it without a resource prefix`,
    };
  return { kind: "resource", raw: token, resourceRef, value };
}

/** Splits and de-duplicates requested scopes; accepts a space-separated string or a list. */
export function normaliseRequested(requested: readonly string[] | string): string[] {
  const tokens = typeof requested === "string" ? [requested] : requested;
  const out: string[] = [];
  for (const t of tokens.flatMap((s) => s.split(" "))) {
    const token = t.trim();
    if (token !== "" && !out.includes(token)) out.push(token);
  }
  return out;
}
