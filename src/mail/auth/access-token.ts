import {
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  type JWTPayload,
  jwtVerify,
} from "jose";
import { LRUCache } from "lru-cache";
import { isGuid } from "../ids.ts";
import { hasUnstorableText } from "../unstorable-text.ts";
import type { Caller } from "./caller.ts";
import { issuerOf, jwksUriOf, MAIL_AUDIENCES } from "./mail-resource.ts";
import { IssuerUnavailable, rejectionOf, TokenRejected } from "./token-rejection.ts";

export interface AccessTokenVerifierOptions {
  /** Identity's base URL: the issuer of tenant T is `${issuerBase}/${T}/v2.0`. */
  issuerBase: string;
  /**
   * After a successful key fetch, how long a token naming an unknown `kid` waits before the
   * keys are fetched again (jose's `cooldownDuration`, default 30 s). A rotated-in key is
   * picked up by the first request after the cooldown; a flood of made-up kids costs the
   * issuer at most one fetch per cooldown.
   */
  jwksCooldownMs?: number;
  /** How many tenants' key sets one node keeps (least recently used are dropped). */
  maxIssuers?: number;
}

// RFC 9068 §2.1: access tokens are signed asymmetrically; "none" and HMAC are never accepted.
const ALGORITHMS = ["RS256", "ES256"];
// One minute: covers clock drift between NTP-synced hosts, short enough that an expired
// token stops working promptly. (Microsoft's libraries allow five.)
const CLOCK_TOLERANCE_SECONDS = 60;
// 5 s: a request waiting on the issuer longer than this fails with 503 instead of hanging.
const JWKS_TIMEOUT_MS = 5_000;

export type AccessTokenVerifier = (token: string) => Promise<Caller>;

/** A non-empty string claim; one Mail could not store (a NUL, an unpaired surrogate) counts as absent. */
function stringClaim(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === "string" && value !== "" && !hasUnstorableText(value) ? value : undefined;
}

function callerOf(payload: JWTPayload, tenantId: string): Caller {
  if (payload.ver !== undefined && payload.ver !== "2.0")
    throw new TokenRejected("The token is not a v2.0 access token (its ver claim must be 2.0).");
  const objectId = payload.oid;
  if (!isGuid(objectId)) throw new TokenRejected("The access token has no object id (oid) claim.");
  const clientId = stringClaim(payload, "azp") ?? stringClaim(payload, "client_id");
  if (typeof payload.scp === "string") {
    return {
      kind: "delegated",
      tenantId,
      objectId: objectId.toLowerCase(),
      username: stringClaim(payload, "preferred_username"),
      name: stringClaim(payload, "name"),
      clientId,
      scopes: new Set(payload.scp.split(" ").filter(Boolean)),
    };
  }
  const roles = Array.isArray(payload.roles)
    ? payload.roles.filter((r): r is string => typeof r === "string")
    : [];
  return {
    kind: "application",
    tenantId,
    objectId: objectId.toLowerCase(),
    clientId,
    roles: new Set(roles),
  };
}

/** Network failures and 5xx from the issuer are "try again", not "bad token". */
async function fetchKeys(url: string, options: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, options);
  } catch (error) {
    if ((error as Error).name === "TimeoutError") throw error;
    throw new IssuerUnavailable(`cannot reach ${url}: ${(error as Error).message}`);
  }
  if (response.status >= 500) throw new IssuerUnavailable(`${url} answered ${response.status}`);
  return response;
}

/**
 * Validates Mail's bearer tokens (RFC 6750, RFC 9068) against the trusted issuer of the
 * token's own tenant. The unverified `tid` is used ONLY to choose which issuer and key set to
 * verify with; the signature, then `iss` (which must be exactly that tenant's issuer), `aud`,
 * `exp`/`nbf` and `typ` are all checked before any claim is believed.
 *
 * @example
 * const verify = createAccessTokenVerifier({ issuerBase: "http://localhost:4000" });
 * const caller = await verify(token); // throws TokenRejected
 */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  const keySets = new LRUCache<string, ReturnType<typeof createRemoteJWKSet>>({
    max: options.maxIssuers ?? 1000,
  });
  const keysOf = (tenantId: string) => {
    let keys = keySets.get(tenantId);
    if (!keys) {
      keys = createRemoteJWKSet(jwksUriOf(options.issuerBase, tenantId), {
        cooldownDuration: options.jwksCooldownMs ?? 30_000,
        timeoutDuration: JWKS_TIMEOUT_MS,
        [customFetch]: fetchKeys,
      });
      keySets.set(tenantId, keys);
    }
    return keys;
  };

  return async (token) => {
    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      unverified = decodeJwt(token);
    } catch {
      throw new TokenRejected("The access token is malformed: it is not a signed JWT.");
    }
    if (typeof header.alg !== "string" || !ALGORITHMS.includes(header.alg))
      throw new TokenRejected(
        `Tokens signed with alg ${String(header.alg ?? "(none given)").slice(0, 20)} are not accepted: use RS256 or ES256.`,
      );
    if (!isGuid(unverified.tid))
      throw new TokenRejected("The access token has no tenant id (tid) claim.");
    const tenantId = unverified.tid.toLowerCase();
    const issuer = issuerOf(options.issuerBase, unverified.tid);
    try {
      const { payload } = await jwtVerify(token, keysOf(tenantId), {
        issuer,
        audience: [...MAIL_AUDIENCES],
        algorithms: ALGORITHMS,
        typ: "at+jwt",
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ["exp", "tid", "oid"],
      });
      return callerOf(payload, tenantId);
    } catch (error) {
      throw rejectionOf(error, { issuer, ...(header.kid ? { kid: header.kid } : {}) });
    }
  };
}
