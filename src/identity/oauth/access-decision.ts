import type { Kysely } from "kysely";
import { type Application, ensureServicePrincipal, isUserAssigned } from "../apps/index.ts";
import type { IdentityDB } from "../db.ts";
import { rolesOfUser } from "../directory/index.ts";

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
 * The outcome: `granted` lets the request through with a grant of the requested scopes;
 * `denied` ends it with an Entra-coded error sent back to the app.
 */
export type AccessDecision =
  | { outcome: "granted" }
  | { outcome: "denied"; code: number; message: string };

/**
 * THE SEAM FOR CONSENT. Decides whether a signed-in user may use an app with the requested
 * scopes. Until consent governance lands this only enforces the enterprise app's own switches
 * and grants everything else without a consent screen; the consent module replaces this
 * function (same signature, plus outcomes that ask for a consent or approval interaction).
 *
 * First use of an app in a tenant creates its service principal (enterprise app), as Entra.
 *
 * @example
 * const decision = await decideAccess(db, { tenantId, application, userId, oidcScopes: ["openid"] });
 * if (decision.outcome === "denied") throw entraError(decision.code, decision.message);
 */
export async function decideAccess(
  db: Kysely<IdentityDB>,
  request: AccessRequest,
): Promise<AccessDecision> {
  const { tenantId, application, userId } = request;
  const sp = await ensureServicePrincipal(db, tenantId, application.id, {
    ...(request.correlationId ? { correlationId: request.correlationId } : {}),
  });
  if (!sp.accountEnabled)
    return {
      outcome: "denied",
      code: 7000112,
      message: `The application "${application.displayName}" (${application.appId}) is disabled in this tenant.`,
    };
  if (sp.appRoleAssignmentRequired && !(await isUserAssigned(db, tenantId, sp.id, userId))) {
    // Global Administrators may sign in to any app, assigned or not (Entra behaves the same).
    const roles = await rolesOfUser(db, tenantId, userId);
    if (!roles.includes("global_administrator"))
      return {
        outcome: "denied",
        code: 50105,
        message: `The signed in user is not assigned to a role for the application "${application.displayName}" (${application.appId}).`,
      };
  }
  return { outcome: "granted" };
}
