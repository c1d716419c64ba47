import type { FastifyReply, FastifyRequest } from "fastify";
import type { InteractionInstance, InteractionResults } from "oidc-provider";
import { errorPageHtml } from "../errors/render-error.tsx";
import { bindRequestContext } from "../errors/request-context.ts";
import { deriveKey } from "../provider/cookie-keys.ts";
import type { ProviderCache, TenantProvider } from "../provider/provider-cache.ts";
import { mountPathOf, type OAuthDeps } from "../provider/runtime.ts";
import { lookupTenant } from "../tenant-lookup.ts";
import { csrfToken, csrfTokenValid, newCsrfCookieValue } from "./csrf.ts";
import { qualifyStoredScope } from "./stored-scope.ts";

/** One sign-in interaction, as the interaction pages work with it. */
export interface InteractionScope {
  tenantProvider: TenantProvider;
  details: InteractionInstance;
  uid: string;
  /** `/{tenantId}/interaction/{uid}`: where the pages and their forms live. */
  basePath: string;
  appName: string;
  csrfToken: string;
  accountsKey: Buffer;
  accountsCookie: string;
  secure: boolean;
  finish(result: InteractionResults): Promise<FastifyReply>;
}

type Request = FastifyRequest<{ Params: { tenant: string; uid: string } }>;

/** Sends an error page (with troubleshooting details) instead of the interaction. */
export function sendErrorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: OAuthDeps,
  code: number,
  status: number,
  app?: { name?: string | undefined; id?: string | undefined },
): FastifyReply {
  const context = bindRequestContext(request.raw, { requestId: request.id, ip: request.ip });
  return reply
    .code(status)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(
      errorPageHtml({
        code,
        context,
        publicUrl: deps.publicUrl,
        appName: app?.name,
        appId: app?.id,
      }),
    );
}

/**
 * Loads the interaction named in the URL, for this browser (oidc-provider checks its
 * interaction cookie), and its CSRF token, issuing the CSRF cookie on first sight. Sends an
 * error page and returns undefined when there is nothing to continue: unknown tenant (90002),
 * expired or foreign interaction, or a POST whose CSRF token does not verify (50089).
 */
export async function loadInteraction(
  request: Request,
  reply: FastifyReply,
  deps: OAuthDeps,
  cache: ProviderCache,
): Promise<InteractionScope | undefined> {
  const tenant = await lookupTenant(deps.db, request.params.tenant);
  if (!tenant) return void sendErrorPage(request, reply, deps, 90002, 404);
  const tenantProvider = await cache.get(tenant);
  const { provider, runtime } = tenantProvider;
  let details: InteractionInstance;
  try {
    details = await provider.interactionDetails(request.raw, reply.raw);
  } catch {
    return void sendErrorPage(request, reply, deps, 50089, 400);
  }
  if (details.uid !== request.params.uid)
    return void sendErrorPage(request, reply, deps, 50089, 400);

  const basePath = `${mountPathOf(deps.publicUrl, tenant.id)}/interaction/${details.uid}`;
  const secure = deps.publicUrl.startsWith("https:");
  const csrfKey = deriveKey(runtime.cookieSecret, "csrf");
  const csrfCookie = `assent_csrf_${tenant.id}`;
  let csrfValue = request.cookies[csrfCookie];
  if (request.method === "POST") {
    const presented = (request.body as Record<string, unknown> | undefined)?.csrf_token;
    if (!csrfTokenValid(csrfKey, details.uid, csrfValue, presented))
      return void sendErrorPage(request, reply, deps, 50089, 403);
  } else if (!csrfValue) {
    csrfValue = newCsrfCookieValue();
    reply.setCookie(csrfCookie, csrfValue, {
      path: basePath,
      httpOnly: true,
      sameSite: "lax",
      secure,
      maxAge: 60 * 60,
    });
  }
  const clientId = details.params.client_id;
  const client = typeof clientId === "string" ? await provider.Client.find(clientId) : undefined;
  return {
    tenantProvider,
    details,
    uid: details.uid,
    basePath,
    appName: client?.clientName ?? (typeof clientId === "string" ? clientId : "the application"),
    csrfToken: csrfToken(csrfKey, details.uid, csrfValue as string),
    accountsKey: deriveKey(runtime.cookieSecret, "remembered-accounts"),
    accountsCookie: `assent_accounts_${tenant.id}`,
    secure,
    async finish(result) {
      await qualifyStoredScope(details);
      const returnTo = await provider.interactionResult(request.raw, reply.raw, result);
      return reply.header("cache-control", "no-store").redirect(returnTo, 303);
    },
  };
}
