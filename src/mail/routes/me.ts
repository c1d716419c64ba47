import type { FastifyInstance } from "fastify";
import { ApiError } from "../../platform/http/index.ts";
import { holdsAny, PROFILE_SCOPES } from "../auth/caller.ts";
import { accessDenied } from "../graph/graph-error.ts";
import { resolveOwnMailbox } from "../mailbox/index.ts";
import type { GraphRouteDeps } from "./deps.ts";
import { requireDelegated } from "./mailbox-access.ts";

/**
 * `GET /me`: the signed-in user as Graph's `user` resource, from the token's claims. The first
 * call of a user whose UPN is in a domain hosted for their tenant creates their mailbox.
 */
export function meRoutes(app: FastifyInstance, { db, authenticate, publicUrl }: GraphRouteDeps) {
  app.get("/me", async (request) => {
    const caller = await authenticate(request);
    requireDelegated(caller);
    if (!holdsAny(caller, PROFILE_SCOPES)) throw accessDenied(PROFILE_SCOPES);
    // A user without a mailbox here (or whose address is bound to another object) still has a profile.
    const mailbox = await resolveOwnMailbox(db, caller).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 403) return undefined;
      throw error;
    });
    return {
      "@odata.context": `${publicUrl}/v1.0/$metadata#users/$entity`,
      id: caller.objectId,
      displayName: caller.name ?? mailbox?.displayName ?? null,
      mail: mailbox?.address ?? null,
      userPrincipalName: caller.username ?? null,
      businessPhones: [],
      givenName: null,
      surname: null,
      jobTitle: null,
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
    };
  });
}
