import type { FastifyReply, FastifyRequest } from "fastify";
import * as oidc from "openid-client";
import { findApplication } from "../applications/index.ts";
import { announceApprovals } from "../approvals/approval-granted.ts";
import { approvePending } from "../approvals/pending-queries.ts";
import { requireConnector } from "../connectors/index.ts";
import type { ConnectContext } from "../context.ts";
import { emitEvent } from "../events/emit.ts";
import { encryptToken, grantView, upsertGrant } from "../grants/index.ts";
import { appRedirectUrl, sendErrorPage } from "../http/pages.ts";
import { issueAuthCode } from "./auth-codes.ts";
import { type AuthSession, consumeAuthSession } from "./auth-sessions.ts";
import { sendOutcome } from "./outcome-response.ts";

type Query = Record<string, string | undefined>;

const STATE_PROBLEM = {
  unknown:
    "The sign-in could not be matched to a connection Connect started: its state is missing or was altered.",
  used: "This sign-in has already been completed (the page was reloaded or the link reused), so it cannot be used again.",
  expired: "This sign-in took too long and expired.",
} as const;

/**
 * `GET /v3/connect/callback`, where every provider sends the browser back. The state is
 * consumed once (a replayed callback changes nothing); then an error is classified into an
 * outcome page, an admin-consent result approves the organisation's pending approvals, and a
 * code becomes a grant — one per (application, provider, email), re-authentication keeping
 * its id — and Connect's own code on the application's redirect URI.
 */
export async function handleCallback(
  ctx: ConnectContext,
  request: FastifyRequest<{ Querystring: Query }>,
  reply: FastifyReply,
) {
  const q = request.query;
  const consumed = q.state
    ? await consumeAuthSession(ctx.db, q.state)
    : { ok: false as const, reason: "unknown" as const };
  if (!consumed.ok)
    return sendErrorPage(request, reply, 400, {
      code: `state_${consumed.reason}`,
      title: "This sign-in cannot be completed",
      message: STATE_PROBLEM[consumed.reason],
      next: "Go back to the application and connect again.",
    });
  const session = consumed.session;
  if (session.response_type === "adminconsent")
    return adminConsentDone(ctx, request, reply, session);
  if (q.error) {
    const tenant = await fixedTenantOf(ctx, session).catch(() => undefined);
    return sendOutcome(ctx, request, reply, session, q, { email: undefined, tenant });
  }
  return codeReceived(ctx, request, reply, session);
}

async function codeReceived(
  ctx: ConnectContext,
  request: FastifyRequest<{ Querystring: Query }>,
  reply: FastifyReply,
  session: AuthSession,
) {
  const connector = await requireConnector(
    ctx.db,
    ctx.keyRing,
    session.application_id,
    session.provider,
  );
  const client = await ctx.providers.get(connector);
  const currentUrl = new URL(ctx.callbackUrl);
  for (const [k, v] of Object.entries(request.query))
    if (v !== undefined) currentUrl.searchParams.set(k, v);
  let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  try {
    tokens = await oidc.authorizationCodeGrant(client.config, currentUrl, {
      pkceCodeVerifier: ctx.keyRing.decrypt(
        session.provider_verifier_enc ?? "",
        "connect.auth_session",
      ),
      expectedState: request.query.state,
      ...(session.nonce ? { expectedNonce: session.nonce } : {}),
    });
  } catch (error) {
    const body =
      error instanceof oidc.ResponseBodyError
        ? (error.cause as Record<string, string>)
        : { error: "provider_error", error_description: (error as Error).message };
    return sendOutcome(ctx, request, reply, session, body, {
      email: session.login_hint ?? undefined,
      tenant: client.fixedTenant,
    });
  }
  const claims: Record<string, unknown> = tokens.claims() ?? {};
  const email = String(claims.email ?? claims.preferred_username ?? claims.upn ?? "").toLowerCase();
  if (!email.includes("@"))
    return sendOutcome(
      ctx,
      request,
      reply,
      session,
      {
        error: "provider_error",
        error_description:
          "The provider did not say which email address signed in (add the email or profile scope).",
      },
      { email: undefined, tenant: undefined },
    );
  const tenant =
    (typeof claims.tid === "string" ? claims.tid : undefined) ??
    client.fixedTenant ??
    email.split("@")[1] ??
    "";
  const identity = { application_id: session.application_id, provider: session.provider, email };
  const application = await findApplication(ctx.db, session.application_id);
  const { grant, code } = await ctx.db.transaction().execute(async (trx) => {
    const { grant, created } = await upsertGrant(trx, {
      applicationId: session.application_id,
      provider: session.provider,
      email,
      name: typeof claims.name === "string" ? claims.name : null,
      providerUserId: String(claims.oid ?? claims.sub ?? "") || null,
      providerTenant: tenant,
      scope: tokens.scope ? tokens.scope.split(" ") : session.scope,
      accessTokenEnc: encryptToken(ctx.keyRing, identity, tokens.access_token),
      accessTokenExpiresAt: tokens.expires_in
        ? new Date(ctx.now().getTime() + tokens.expires_in * 1000)
        : null,
      refreshTokenEnc: tokens.refresh_token
        ? encryptToken(ctx.keyRing, identity, tokens.refresh_token)
        : null,
      idTokenEnc: tokens.id_token ? encryptToken(ctx.keyRing, identity, tokens.id_token) : null,
      ip: request.ip,
      userAgent: request.headers["user-agent"]?.slice(0, 500) ?? null,
    });
    await emitEvent(
      trx,
      session.application_id,
      created ? "grant.created" : "grant.updated",
      grantView(grant),
    );
    // A connection that goes through settles this person's pending approval, however it was given.
    const approved = await approvePending(trx, {
      applicationId: session.application_id,
      provider: session.provider,
      email,
    });
    await announceApprovals(trx, ctx, approved, application?.name ?? "The app");
    const code = await issueAuthCode(trx, {
      applicationId: session.application_id,
      grantId: grant.id,
      redirectUri: session.redirect_uri,
      codeChallenge: session.code_challenge,
      codeChallengeMethod: session.code_challenge_method,
    });
    return { grant, code };
  });
  ctx.wake();
  request.log.info({ grant: grant.id }, "grant connected");
  return reply.redirect(
    appRedirectUrl(session.redirect_uri, { code, state: session.app_state ?? undefined }),
    303,
  );
}

/** The tenant-wide admin consent came back: approve the organisation's pending approvals. */
async function adminConsentDone(
  ctx: ConnectContext,
  request: FastifyRequest<{ Querystring: Query }>,
  reply: FastifyReply,
  session: AuthSession,
) {
  const q = request.query;
  if (q.error || q.admin_consent?.toLowerCase() !== "true")
    return sendOutcome(
      ctx,
      request,
      reply,
      session,
      { error: q.error ?? "access_denied", ...q },
      { email: undefined, tenant: q.tenant },
    );
  const connector = await requireConnector(
    ctx.db,
    ctx.keyRing,
    session.application_id,
    session.provider,
  );
  const client = await ctx.providers.get(connector);
  const application = await findApplication(ctx.db, session.application_id);
  // Entra names the tenant by id; an issuer-scoped connector's tenant is its issuer.
  const tenants = [q.tenant, client.fixedTenant].filter((t): t is string => Boolean(t));
  await ctx.db.transaction().execute(async (trx) => {
    const approved = [];
    for (const providerTenant of new Set(tenants))
      approved.push(
        ...(await approvePending(trx, {
          applicationId: session.application_id,
          provider: session.provider,
          providerTenant,
        })),
      );
    if (session.pending_approval_id)
      approved.push(
        ...(await approvePending(trx, {
          applicationId: session.application_id,
          provider: session.provider,
          id: session.pending_approval_id,
        })),
      );
    await announceApprovals(trx, ctx, approved, application?.name ?? "The app");
  });
  ctx.wake();
  return reply.redirect(
    appRedirectUrl(session.redirect_uri, {
      admin_consent: "true",
      tenant: q.tenant,
      provider: session.provider,
      state: session.app_state ?? undefined,
    }),
    303,
  );
}

/** The tenant a connector is bound to (its authority's tenant, or its issuer), if any. */
async function fixedTenantOf(ctx: ConnectContext, session: AuthSession) {
  const connector = await requireConnector(
    ctx.db,
    ctx.keyRing,
    session.application_id,
    session.provider,
  );
  return (await ctx.providers.get(connector)).fixedTenant;
}
