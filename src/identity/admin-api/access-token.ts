import { decodeJwt, decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from "jose";
import type { Kysely } from "kysely";
import type { KeyRing } from "../../platform/crypto/index.ts";
import { ADMIN_RESOURCE } from "../apps/admin-resource.ts";
import type { IdentityDB } from "../db.ts";
import { getTenant, getUser, isUuid } from "../directory/index.ts";
import { issuerOf } from "../oauth/index.ts";
import type { AdminCaller } from "./caller.ts";
import { invalidToken } from "./challenge.ts";
import { TenantKeyCache } from "./tenant-keys.ts";

// RFC 9068 §2.1: access tokens are signed asymmetrically; "none" and HMAC are never accepted.
const ALGORITHMS = ["RS256", "ES256"];
// One minute: covers clock drift between NTP-synced hosts, short enough that an expired token
// stops working promptly (the same as Mail's verifier).
const CLOCK_TOLERANCE_SECONDS = 60;

export interface AdminTokenVerifierOptions {
  db: Kysely<IdentityDB>;
  keyRing: KeyRing;
  /** Identity's public URL: tenant T's issuer is `${publicUrl}/${T}/v2.0`. */
  publicUrl: string;
}

export type AdminTokenVerifier = (token: string) => Promise<AdminCaller>;

function text(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "it has expired; get a new one.";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud")
      return `it is not for this API (its aud must be ${ADMIN_RESOURCE.identifierUri}); ask for scope ${ADMIN_RESOURCE.identifierUri}/.default or a permission of it.`;
    if (error.claim === "iss") return "it was not issued by its tenant's issuer.";
    if (error.claim === "typ") return 'it is not an access token (typ must be "at+jwt").';
    return `its ${error.claim} claim is not valid (${error.reason}).`;
  }
  if (error instanceof errors.JWKSNoMatchingKey)
    return "it is signed with a key its tenant does not publish.";
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return "its signature does not verify.";
  if (error instanceof errors.JOSEError) return "it is not a valid signed JWT.";
  throw error;
}

/**
 * Verifies admin API access tokens in-process: the unverified `tid` only selects the tenant
 * and its keys; then the signature, `iss` (exactly that tenant's issuer), `aud`
 * (api://assent-admin), `exp`/`nbf` and `typ` (at+jwt, RFC 9068 §4) are checked before any
 * claim is believed. A delegated token's user must still exist and be enabled.
 *
 * @example
 * const verify = createAdminTokenVerifier({ db, keyRing, publicUrl });
 * const caller = await verify(token); // throws a 401 BearerChallenge
 */
export function createAdminTokenVerifier(options: AdminTokenVerifierOptions): AdminTokenVerifier {
  const { db, publicUrl } = options;
  const keys = new TenantKeyCache(db, options.keyRing);
  return async (token) => {
    let alg: unknown;
    let unverified: JWTPayload;
    try {
      alg = decodeProtectedHeader(token).alg;
      unverified = decodeJwt(token);
    } catch {
      throw invalidToken("it is not a signed JWT.");
    }
    if (typeof alg !== "string" || !ALGORITHMS.includes(alg))
      throw invalidToken("it must be signed with RS256 or ES256.");
    const tid = unverified.tid;
    if (typeof tid !== "string" || !isUuid(tid)) throw invalidToken("it has no tenant id (tid).");
    const tenant = await getTenant(db, tid);
    if (!tenant?.enabled) throw invalidToken("its tenant does not exist or is disabled.");
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await keys.get(tenant), {
        issuer: issuerOf(publicUrl, tenant.id),
        audience: ADMIN_RESOURCE.identifierUri,
        algorithms: ALGORITHMS,
        typ: "at+jwt",
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ["exp", "iat", "tid", "oid"],
      }));
    } catch (error) {
      throw invalidToken(describe(error));
    }
    const oid = text(payload, "oid");
    if (!oid || !isUuid(oid)) throw invalidToken("it has no object id (oid).");
    const appId = text(payload, "azp") ?? text(payload, "client_id");
    const scp = text(payload, "scp");
    if (scp !== undefined) {
      const user = await getUser(db, tenant.id, oid);
      if (!user?.enabled)
        throw invalidToken("its user no longer exists in the tenant or is disabled.");
      return {
        kind: "delegated",
        tenantId: tenant.id,
        userId: user.id,
        userPrincipalName: user.userPrincipalName,
        appId,
        scopes: new Set(scp.split(" ").filter(Boolean)),
        directoryRoles: [],
      };
    }
    const roles = Array.isArray(payload.roles)
      ? payload.roles.filter((r): r is string => typeof r === "string")
      : [];
    return {
      kind: "application",
      tenantId: tenant.id,
      servicePrincipalId: oid.toLowerCase(),
      appId,
      roles: new Set(roles),
    };
  };
}
