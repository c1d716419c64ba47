import type { GrantInstance, KoaContextWithOIDC } from "oidc-provider";
import { MAIL_RESOURCE, resourceIdentifierUri } from "../../apps/index.ts";
import { evaluateConsent } from "../../consent/index.ts";
import { blockedAppError, entraError } from "../errors/entra-error.ts";
import { requestContextOf } from "../errors/request-context.ts";
import { consentInputCache } from "./consent-cache.ts";
import type { TenantRuntime } from "./runtime.ts";

// A grant outlives the refresh tokens issued under it (90 days, renewed on every rotation).
export const GRANT_TTL_SECONDS = 365 * 24 * 60 * 60;

/** What a grant holds that the rebuild below sets, comparable as a string. */
function contentOf(grant: GrantInstance): string {
  const { openid, resources, rejected } = grant as {
    openid?: unknown;
    resources?: unknown;
    rejected?: unknown;
  };
  return JSON.stringify([openid ?? null, resources ?? null, rejected ?? null]);
}

/**
 * oidc-provider's `loadExistingGrant`, run on every authorization request with a signed-in
 * user: runs the consent decision (consent/evaluate.ts) and acts on it. A disabled or blocked
 * app (AADSTS7000112) and a user not assigned to it (50105) end the request. Otherwise the
 * user's oidc-provider grant is rebuilt to hold exactly the requested scopes that delegated
 * permission grants cover now (so a revoked consent is asked for again), and oidc-provider's
 * consent checks ask for an interaction (the consent screens of ../interaction/consent.tsx)
 * when anything requested is missing, or answer `consent_required` (65001) under prompt=none.
 * The decision's inputs come from the tenant's catalog (consent-cache.ts), current as of the
 * request; the grant is written back only when the rebuild changed it.
 */
export function grantLoader(rt: TenantRuntime) {
  return async (ctx: KoaContextWithOIDC): Promise<GrantInstance | undefined> => {
    const { client, session, provider } = ctx.oidc;
    const accountId = ctx.oidc.account?.accountId ?? session?.accountId;
    if (!client || !session || !accountId) return undefined;
    const application = (await rt.catalog.apps.client(client.clientId))?.application;
    if (!application) return undefined;

    const requested = [...ctx.oidc.requestParamScopes];
    const resources = Object.entries(ctx.oidc.resourceServers ?? {});
    const [first] = resources;
    const evaluation = await evaluateConsent(
      rt.db,
      {
        tenantId: rt.tenant.id,
        application,
        userId: accountId,
        oidcScopes: [...ctx.oidc.requestParamOIDCScopes],
        resource: first
          ? { identifierUri: first[0], scopes: requested.filter((s) => first[1].scopes.has(s)) }
          : undefined,
        correlationId: requestContextOf(ctx.req).correlationId,
      },
      new Date(),
      consentInputCache(rt.catalog),
    );
    const { decision } = evaluation;
    const name = `"${application.displayName}" (${application.appId})`;
    if (decision.kind === "app_disabled")
      throw decision.reason === "blocked"
        ? blockedAppError(`The application ${name} is blocked in this tenant.`)
        : entraError(7000112, `The application ${name} is disabled in this tenant.`);
    if (decision.kind === "not_assigned")
      throw entraError(
        50105,
        `The signed in user is not assigned to a role for the application ${name}.`,
      );

    // What delegated permission grants cover, by resource app id; OIDC scopes are Assent Mail's.
    const covered = new Map(decision.parts.map((p) => [p.resourceAppId, new Set(p.granted)]));
    const consented = ctx.oidc.result?.consent as { grantId?: string } | undefined;
    const grantId = consented?.grantId ?? session.grantIdFor(client.clientId);
    let grant = grantId ? await provider.Grant.find(grantId) : undefined;
    if (grant && (grant.accountId !== accountId || grant.clientId !== client.clientId))
      grant = undefined;
    const stored = grant ? contentOf(grant) : undefined;
    grant ??= new provider.Grant({ accountId, clientId: client.clientId });
    grant.openid = undefined;
    grant.resources = undefined;
    grant.rejected = undefined;
    const mail = covered.get(MAIL_RESOURCE.appId);
    const oidcScopes = [...ctx.oidc.requestParamOIDCScopes].filter((s) => mail?.has(s));
    if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(" "));
    for (const [indicator, server] of resources) {
      const resource = evaluation.resources.find(
        (r) => resourceIdentifierUri(r.application) === indicator,
      );
      const granted = resource ? covered.get(resource.application.appId) : undefined;
      const scopes = requested.filter((s) => server.scopes.has(s) && granted?.has(s));
      if (scopes.length > 0) grant.addResourceScope(indicator, scopes.join(" "));
    }
    // Saving never extends a grant's life (oidc-provider keeps its `exp`), so an unchanged
    // grant needs no write: the common case of a returning user.
    if (contentOf(grant) !== stored) await grant.save(GRANT_TTL_SECONDS);
    return grant;
  };
}
