import type { FastifyReply, FastifyRequest } from "fastify";
import * as oidc from "openid-client";
import { z } from "zod";
import { isUuid } from "../../platform/ids.ts";
import { findApplication } from "../applications/index.ts";
import { findConnector, listConnectorsOf, providerOf } from "../connectors/index.ts";
import type { ConnectContext } from "../context.ts";
import { ConnectError } from "../http/errors.ts";
import { appRedirectUrl, sendErrorPage } from "../http/pages.ts";
import type { ProviderName } from "../tables.ts";
import { createAuthSession } from "./auth-sessions.ts";

const text = (max: number) => z.string().min(1).max(max).optional();

/** `GET /v3/connect/auth` parameters (Nylas v3, snake_case). */
const AuthQuery = z.object({
  response_type: z.enum(["code", "adminconsent"]).default("code"),
  provider: text(20),
  scope: text(2000),
  // Nylas: state is at most 256 characters.
  state: z.string().max(256).optional(),
  login_hint: text(320),
  prompt: text(200),
  code_challenge: z
    .string()
    .regex(/^[A-Za-z0-9._~+/=-]{20,200}$/)
    .optional(),
  code_challenge_method: z.enum(["S256", "s256", "plain"]).optional(),
  access_type: z.enum(["online", "offline"]).optional(),
  credential_id: text(200),
  include_grant_scopes: text(10),
});

// The provider prompts Connect passes on. Never "consent": forcing it on Microsoft loops users
// through admin consent (NangoHQ/nango#1040); the provider prompts when consent is missing.
const PASSED_PROMPTS = new Set(["login", "select_account"]);

type Query = Record<string, string | undefined>;

function one(query: unknown, key: string): string | undefined {
  const value = (query as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}

/**
 * Starts hosted authentication: checks the application and its exact redirect URI first (a
 * failure there is a page, never a redirect), then everything else (a failure is a redirect
 * back with `error`, `error_code`, `error_description`, `state`), opens an auth session and
 * sends the browser to the provider — its authorize endpoint with PKCE, or its tenant-wide
 * admin consent endpoint for `response_type=adminconsent`.
 */
export async function startAuth(
  ctx: ConnectContext,
  request: FastifyRequest<{ Querystring: Query }>,
  reply: FastifyReply,
) {
  const clientId = one(request.query, "client_id");
  const application = clientId ? await findApplication(ctx.db, clientId) : undefined;
  if (!application)
    return sendErrorPage(request, reply, 400, {
      code: "invalid_client",
      title: "Unknown application",
      message: clientId
        ? `No application has the client id "${clientId}".`
        : "The request does not say which application it is for (client_id is missing).",
      next: "The application's developer must fix the link: nothing you can do from here.",
    });
  const redirectUri = one(request.query, "redirect_uri");
  if (!redirectUri || !application.callbackUris.includes(redirectUri))
    return sendErrorPage(request, reply, 400, {
      code: "invalid_redirect_uri",
      title: "This link cannot be used",
      message: redirectUri
        ? `The redirect URI "${redirectUri}" is not registered for ${application.name}.`
        : "The request has no redirect_uri.",
      next: "The application's developer must register the exact URI (scheme, host, port, path) for the application, or fix the link.",
    });
  const appState = one(request.query, "state");
  const fail = (code: string, description: string) =>
    reply.redirect(
      appRedirectUrl(redirectUri, {
        error: "invalid_request",
        error_code: code,
        error_description: description,
        state: appState,
      }),
      303,
    );
  const parsed = AuthQuery.safeParse(request.query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail("invalid_request", `${issue?.path.join(".")}: ${issue?.message}`);
  }
  const q = parsed.data;
  let provider: ProviderName;
  try {
    provider = q.provider ? providerOf(q.provider) : await onlyProvider(ctx, application.id);
  } catch (error) {
    return fail("invalid_provider", (error as Error).message);
  }
  const connector = await findConnector(ctx.db, ctx.keyRing, application.id, provider);
  if (!connector)
    return fail("connector_not_found", `${application.name} has no ${provider} connector.`);
  let client: Awaited<ReturnType<ConnectContext["providers"]["get"]>>;
  try {
    client = await ctx.providers.get(connector);
  } catch (error) {
    return fail("provider_unavailable", (error as ConnectError).message);
  }
  const scope = q.scope ? q.scope.split(/[\s,]+/).filter(Boolean) : connector.scope;

  if (q.response_type === "adminconsent") {
    const pendingId = one(request.query, "pending_approval_id");
    if (!client.adminConsentEndpoint)
      return fail("adminconsent_unsupported", `Provider ${provider} has no admin consent flow.`);
    const state = await createAuthSession(ctx.db, {
      applicationId: application.id,
      provider,
      responseType: "adminconsent",
      redirectUri,
      appState,
      scope,
      loginHint: q.login_hint,
      codeChallenge: undefined,
      codeChallengeMethod: undefined,
      providerVerifierEnc: undefined,
      nonce: undefined,
      pendingApprovalId: pendingId && isUuid(pendingId) ? pendingId : undefined,
    });
    const url = new URL(client.adminConsentEndpoint);
    url.searchParams.set("client_id", connector.settings.client_id);
    url.searchParams.set("scope", scope.join(" "));
    url.searchParams.set("redirect_uri", ctx.callbackUrl);
    url.searchParams.set("state", state);
    return reply.redirect(url.href, 303);
  }

  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = scope.includes("openid") ? oidc.randomNonce() : undefined;
  const state = await createAuthSession(ctx.db, {
    applicationId: application.id,
    provider,
    responseType: "code",
    redirectUri,
    appState,
    scope,
    loginHint: q.login_hint,
    codeChallenge: q.code_challenge,
    codeChallengeMethod: q.code_challenge ? (q.code_challenge_method ?? "plain") : undefined,
    providerVerifierEnc: ctx.keyRing.encrypt(verifier, "connect.auth_session"),
    nonce,
  });
  const prompt = (q.prompt ?? "").split(/[\s,]+/).filter((p) => PASSED_PROMPTS.has(p));
  const url = oidc.buildAuthorizationUrl(client.config, {
    redirect_uri: ctx.callbackUrl,
    scope: scope.join(" "),
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    ...(nonce ? { nonce } : {}),
    ...(q.login_hint ? { login_hint: q.login_hint } : {}),
    ...(prompt.length > 0 ? { prompt: prompt.join(" ") } : {}),
    ...client.authorizationParams,
  });
  return reply.redirect(url.href, 303);
}

/** Without `provider`, the application's only connector (Connect has no provider picker yet). */
async function onlyProvider(ctx: ConnectContext, applicationId: string): Promise<ProviderName> {
  const connectors = await listConnectorsOf(ctx.db, applicationId);
  if (connectors.length === 1 && connectors[0]) return connectors[0];
  throw new ConnectError(
    400,
    "invalid_request_error",
    "Name the provider (provider=microsoft, google or assent): the application has several connectors, or none.",
  );
}
