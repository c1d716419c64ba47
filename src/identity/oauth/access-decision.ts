import type { Kysely } from "kysely";
import type { Application } from "../apps/index.ts";
import { checkDelegatedAccess } from "../consent/index.ts";
import type { IdentityDB } from "../db.ts";
import type { ConsentInputCache } from "./provider/consent-cache.ts";

/** What a delegated (user) authorization request asks for. */
export interface AccessRequest {
  tenantId: string;
  application: Application;
  userId: string;
  oidcScopes: string[];
  /** The resource's identifier URI and the bare permissions asked there, if any. */
  resource?: { identifierUri: string; scopes: string[] } | undefined;
  correlationId?: string | undefined;
}

/**
 * The outcome: `granted` lets the request through; `denied` ends it with an Entra-coded error
 * sent back to the app.
 */
export type AccessDecision =
  | { outcome: "granted" }
  | { outcome: "denied"; code: number; message: string };

/**
 * The access check of the token endpoint (code redemption, refresh; provider/accounts.ts): may
 * the user still use the app with what the code or refresh token carries? The consent decision
 * (consent/access-check.ts) answers from the enterprise app's switches and the delegated
 * permission grants in force now: a disabled or blocked app is 7000112, a user unassigned since
 * is 50105, a consent revoked since is 65001 (`invalid_grant` with `suberror: consent_required`,
 * which MSAL reads as "interaction required"). The authorization endpoint runs the full decision
 * with its screens instead (provider/grants.ts and interaction/consent.tsx). `cached` (the
 * tenant catalog's, provider/consent-cache.ts) serves the inputs from memory.
 *
 * @example
 * const decision = await decideAccess(db, { tenantId, application, userId, oidcScopes: ["openid"] });
 * if (decision.outcome === "denied") throw entraError(decision.code, decision.message);
 */
export async function decideAccess(
  db: Kysely<IdentityDB>,
  request: AccessRequest,
  cached?: ConsentInputCache,
): Promise<AccessDecision> {
  const check = await checkDelegatedAccess(db, request, new Date(), cached);
  return check.ok
    ? { outcome: "granted" }
    : { outcome: "denied", code: check.code, message: check.message };
}
