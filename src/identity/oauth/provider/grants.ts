import type { GrantInstance, KoaContextWithOIDC } from "oidc-provider";
import { findApplicationByAppId } from "../../apps/index.ts";
import { decideAccess } from "../access-decision.ts";
import { entraError } from "../errors/entra-error.ts";
import { requestContextOf } from "../errors/request-context.ts";
import type { TenantRuntime } from "./runtime.ts";

// A grant outlives the refresh tokens issued under it (90 days, renewed on every rotation).
export const GRANT_TTL_SECONDS = 365 * 24 * 60 * 60;

/**
 * oidc-provider's `loadExistingGrant`, run on every authorization request with a signed-in
 * user: asks `decideAccess` whether this user may use this app now (so disabling the app or
 * unassigning the user takes effect on the next request, not only on the first), then makes
 * sure the user's grant for the client covers the requested scopes. A grant that covers them
 * means oidc-provider asks for no consent interaction; `decideAccess` is where consent will
 * decide otherwise.
 */
export function grantLoader(rt: TenantRuntime) {
  return async (ctx: KoaContextWithOIDC): Promise<GrantInstance | undefined> => {
    const { client, session, provider } = ctx.oidc;
    const accountId = ctx.oidc.account?.accountId ?? session?.accountId;
    if (!client || !session || !accountId) return undefined;
    const application = await findApplicationByAppId(rt.db, client.clientId);
    if (!application) return undefined;

    const requested = [...ctx.oidc.requestParamScopes];
    const resources = Object.entries(ctx.oidc.resourceServers ?? {});
    const [first] = resources;
    const decision = await decideAccess(rt.db, {
      tenantId: rt.tenant.id,
      application,
      userId: accountId,
      oidcScopes: requested.filter((s) => !first?.[1].scopes.has(s)),
      resource: first
        ? { identifierUri: first[0], scopes: requested.filter((s) => first[1].scopes.has(s)) }
        : undefined,
      correlationId: requestContextOf(ctx.req).correlationId,
    });
    if (decision.outcome === "denied") throw entraError(decision.code, decision.message);

    const consented = ctx.oidc.result?.consent as { grantId?: string } | undefined;
    const grantId = consented?.grantId ?? session.grantIdFor(client.clientId);
    let grant = grantId ? await provider.Grant.find(grantId) : undefined;
    if (grant && (grant.accountId !== accountId || grant.clientId !== client.clientId))
      grant = undefined;
    grant ??= new provider.Grant({ accountId, clientId: client.clientId });
    const oidcScopes = [...ctx.oidc.requestParamOIDCScopes];
    if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(" "));
    for (const [indicator, server] of resources) {
      const scopes = requested.filter((s) => server.scopes.has(s));
      if (scopes.length > 0) grant.addResourceScope(indicator, scopes.join(" "));
    }
    await grant.save(GRANT_TTL_SECONDS);
    return grant;
  };
}
