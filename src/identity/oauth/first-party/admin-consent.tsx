import type { FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "../../../platform/http/errors.ts";
import { type Application, findApplicationByAppId } from "../../apps/index.ts";
import {
  type AdminConsentRequest,
  grantAdminConsent,
  isConsentAdministrator,
  resolveAdminConsentRequest,
  ungrantable,
} from "../../consent/index.ts";
import { rolesOfUser } from "../../directory/index.ts";
import {
  AdminConsentPage,
  MessagePage,
  type PermissionItem,
  renderPage,
} from "../../pages/index.ts";
import { catalogEntry } from "../error-catalog.ts";
import { frontChannelParams } from "../errors/wire.ts";
import { type FirstPartyContext, sendFirstPartyError } from "./context.ts";
import { type FirstPartySignIn, handleFirstPartySignIn, sendFirstPartySignIn } from "./sign-in.tsx";

/**
 * Tenant-wide admin consent, Entra's v2 endpoint: `GET /{tenant}/v2.0/adminconsent?client_id&
 * scope&redirect_uri&state`. An administrator of the tenant signs in (the tenant's session),
 * reviews every permission the app asks for and grants them for the organisation. The app gets
 * `admin_consent=True`, `tenant`, `scope` and `state` back, or `error`/`error_description`. An
 * unknown app or a redirect_uri the app did not register gets an error page, never a redirect
 * (RFC 6749 section 4.1.2.1); the request is validated again on every POST.
 */

/** client_id, scope, redirect_uri, state; prompt=login to sign in with another account. */
export type AdminConsentQuery = Record<string, string | undefined>;

interface Validated {
  client: Application;
  redirectUri: string;
  scope: string;
  state: string | undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= 4096 ? value : undefined;
}

function html(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply
    .code(status)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(body);
}

/**
 * A page of this tenant's own admin portal (its "Grant admin consent for {organization}"
 * button): accepted as a redirect URI for any app, as Entra's portal is a first-party reply URL.
 * The URL parser has already resolved dot segments, so the prefix check holds.
 */
function isTenantPortalPage(ctx: FirstPartyContext, uri: string): boolean {
  if (!URL.canParse(uri)) return false;
  const url = new URL(uri);
  const portal = new URL(`${ctx.tenantPath}/portal/`, ctx.deps.publicUrl);
  return (
    url.origin === portal.origin &&
    url.pathname.startsWith(portal.pathname) &&
    !url.username &&
    !url.password &&
    !url.hash
  );
}

/** Validates client and redirect_uri; sends the error page and returns undefined on failure. */
async function validate(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: FirstPartyContext,
  query: Record<string, unknown>,
): Promise<Validated | { redirectOnly: Omit<Validated, "scope"> } | undefined> {
  const clientId = text(query.client_id);
  if (!clientId) return void sendFirstPartyError(request, reply, ctx, 900144, 400);
  const client = await findApplicationByAppId(ctx.deps.db, clientId.toLowerCase());
  if (!client || (client.signInAudience === "AzureADMyOrg" && client.tenantId !== ctx.tenant.id))
    return void sendFirstPartyError(request, reply, ctx, 700016, 400, { id: clientId });
  const redirectUri = text(query.redirect_uri);
  const app = { name: client.displayName, id: client.appId };
  // Exact string match against the registration, as for /authorize, or this tenant's portal.
  if (
    !redirectUri ||
    !(client.redirectUris.includes(redirectUri) || isTenantPortalPage(ctx, redirectUri))
  )
    return void sendFirstPartyError(request, reply, ctx, 50011, 400, app);
  const state = text(query.state);
  const scope = text(query.scope);
  if (!scope) return { redirectOnly: { client, redirectUri, state } };
  return { client, redirectUri, scope, state };
}

/** Back to the app's redirect URI with the result (query string, as Entra's). */
function redirectBack(
  reply: FastifyReply,
  redirectUri: string,
  params: Record<string, string | undefined>,
): FastifyReply {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(key, value);
  return reply.header("cache-control", "no-store").redirect(url.href, 303);
}

function redirectError(
  reply: FastifyReply,
  ctx: FirstPartyContext,
  target: { redirectUri: string; state: string | undefined },
  code: number,
  message?: string,
): FastifyReply {
  const entry = catalogEntry(code);
  const params = frontChannelParams(
    { error: entry.error, error_description: `AST${code}: ${message ?? entry.message}` },
    code,
    ctx.requestContext,
    ctx.deps.publicUrl,
  );
  return redirectBack(reply, target.redirectUri, { ...params, state: target.state });
}

function queryString(v: {
  client: Application;
  redirectUri: string;
  scope: string;
  state?: string | undefined;
}) {
  const q = new URLSearchParams({
    client_id: v.client.appId,
    scope: v.scope,
    redirect_uri: v.redirectUri,
  });
  if (v.state !== undefined) q.set("state", v.state);
  return q.toString();
}

function signInForm(ctx: FirstPartyContext, v: Validated): FirstPartySignIn {
  const q = queryString(v);
  const base = `${ctx.tenantPath}/v2.0/adminconsent`;
  return {
    flow: "adminconsent",
    appName: `${v.client.displayName} (admin consent)`,
    actionUrl: `${base}/login?${q}`,
    cancelUrl: `${base}/cancel?${q}`,
    next: `${base}?${q}`,
  };
}

function permissionItems(request: AdminConsentRequest): PermissionItem[] {
  return [
    ...request.delegated.flatMap((d) =>
      d.scopes.map((s) => ({
        value: s.value,
        title: s.adminConsentDisplayName,
        description: s.adminConsentDescription,
        resourceName: d.resource.displayName,
        kind: "delegated" as const,
      })),
    ),
    ...request.appRoles.map((r) => ({
      value: r.role.value,
      title: r.role.displayName,
      description: r.role.description,
      resourceName: r.resource.displayName,
      kind: "application" as const,
    })),
  ];
}

const purpose = (ctx: FirstPartyContext) => `adminconsent:${ctx.session?.id ?? ""}`;

/** GET: sign-in if needed, then the permissions for the organisation. */
export async function sendAdminConsent(
  request: FastifyRequest<{ Querystring: AdminConsentQuery }>,
  reply: FastifyReply,
  ctx: FirstPartyContext,
): Promise<FastifyReply> {
  const v = await validate(request, reply, ctx, request.query);
  if (!v) return reply;
  if ("redirectOnly" in v)
    return redirectError(
      reply,
      ctx,
      v.redirectOnly,
      900144,
      "The request must contain the scope parameter.",
    );
  if (!ctx.user || request.query.prompt === "login")
    return sendFirstPartySignIn(reply, ctx, signInForm(ctx, v));
  const resolved = await resolveAdminConsentRequest(ctx.deps.db, ctx.tenant.id, v.client, v.scope);
  if (!resolved.ok) return redirectError(reply, ctx, v, resolved.code, resolved.message);
  const roles = await rolesOfUser(ctx.deps.db, ctx.tenant.id, ctx.user.id);
  const otherAccountUrl = `${ctx.tenantPath}/v2.0/adminconsent?${queryString(v)}&prompt=login`;
  if (!isConsentAdministrator(roles))
    return html(
      reply,
      renderPage(
        <MessagePage
          title="An administrator must do this"
          paragraphs={[
            `You are signed in as ${ctx.user.userPrincipalName}, who cannot grant permissions for ${ctx.tenant.displayName}.`,
            "Only a Global Administrator, Privileged Role Administrator, Cloud Application Administrator or Application Administrator can consent for the organization.",
          ]}
          link={{ href: otherAccountUrl, text: "Sign in with another account" }}
        />,
      ),
      403,
    );
  return html(
    reply,
    renderPage(
      <AdminConsentPage
        app={{
          name: v.client.displayName,
          appId: v.client.appId,
          logoUrl: v.client.logoUrl,
          publisherName: v.client.publisherDisplayName,
          publisherVerified: v.client.publisherVerified,
        }}
        tenantName={ctx.tenant.displayName}
        userPrincipalName={ctx.user.userPrincipalName}
        permissions={permissionItems(resolved.request)}
        ungrantable={ungrantable(roles, resolved.request)}
        actionUrl={`${ctx.tenantPath}/v2.0/adminconsent`}
        csrfToken={ctx.csrfToken(purpose(ctx))}
        request={{
          client_id: v.client.appId,
          scope: v.scope,
          redirect_uri: v.redirectUri,
          state: v.state,
        }}
        otherAccountUrl={otherAccountUrl}
      />,
    ),
  );
}

/** POST: Accept or Cancel, after validating the request, the session and the CSRF token again. */
export async function handleAdminConsent(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: FirstPartyContext,
): Promise<FastifyReply> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const v = await validate(request, reply, ctx, body);
  if (!v) return reply;
  if ("redirectOnly" in v) return redirectError(reply, ctx, v.redirectOnly, 900144);
  if (!ctx.user) return sendFirstPartySignIn(reply, ctx, signInForm(ctx, v), { status: 401 });
  if (!ctx.csrfValid(purpose(ctx), body.csrf_token))
    return sendFirstPartyError(request, reply, ctx, 50089, 403, {
      name: v.client.displayName,
      id: v.client.appId,
    });
  if (body.decision !== "accept")
    return redirectError(
      reply,
      ctx,
      v,
      65004,
      "The administrator declined to consent for the organization.",
    );
  const resolved = await resolveAdminConsentRequest(ctx.deps.db, ctx.tenant.id, v.client, v.scope);
  if (!resolved.ok) return redirectError(reply, ctx, v, resolved.code, resolved.message);
  try {
    await grantAdminConsent(ctx.deps.db, ctx.tenant.id, ctx.user.id, resolved.request, {
      correlationId: ctx.requestContext.correlationId,
    });
  } catch (error) {
    if (error instanceof ApiError && error.code === "consent.not_authorized")
      return sendFirstPartyError(request, reply, ctx, 90093, 403, {
        name: v.client.displayName,
        id: v.client.appId,
      });
    throw error;
  }
  return redirectBack(reply, v.redirectUri, {
    admin_consent: "True",
    tenant: ctx.tenant.id,
    scope: v.scope,
    state: v.state,
  });
}

export async function handleAdminConsentSignIn(
  request: FastifyRequest<{ Querystring: AdminConsentQuery }>,
  reply: FastifyReply,
  ctx: FirstPartyContext,
): Promise<FastifyReply> {
  const v = await validate(request, reply, ctx, request.query);
  if (!v) return reply;
  if ("redirectOnly" in v) return redirectError(reply, ctx, v.redirectOnly, 900144);
  return handleFirstPartySignIn(request, reply, ctx, signInForm(ctx, v), () =>
    sendFirstPartyError(request, reply, ctx, 50089, 403),
  );
}

/** "Cancel" on the sign-in page: back to the app with access_denied (65004). */
export async function handleAdminConsentCancel(
  request: FastifyRequest<{ Querystring: AdminConsentQuery }>,
  reply: FastifyReply,
  ctx: FirstPartyContext,
): Promise<FastifyReply> {
  const v = await validate(request, reply, ctx, request.query);
  if (!v) return reply;
  const target = "redirectOnly" in v ? v.redirectOnly : v;
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (!ctx.csrfValid("sign-in:adminconsent", body.csrf_token))
    return sendFirstPartyError(request, reply, ctx, 50089, 403);
  return redirectError(reply, ctx, target, 65004, "The administrator cancelled the sign-in.");
}
