import type { FastifyReply, FastifyRequest } from "fastify";
import { getUser, type Tenant, type User } from "../../directory/index.ts";
import { bindRequestContext, type RequestContext } from "../errors/request-context.ts";
import { csrfToken, csrfTokenValid, newCsrfCookieValue } from "../interaction/csrf.ts";
import { sendErrorPage } from "../interaction/interaction-context.ts";
import { deriveKey } from "../provider/cookie-keys.ts";
import type { ProviderCache, TenantProvider } from "../provider/provider-cache.ts";
import { mountPathOf, type OAuthDeps } from "../provider/runtime.ts";
import { lookupTenant } from "../tenant-lookup.ts";
import { readTenantSession, type TenantSession } from "./tenant-session.ts";

/**
 * What a first-party page (My apps, admin consent) works with: the tenant its URL names, its
 * provider (for the shared sign-in session), the signed-in user if any, and CSRF tokens made
 * with the interaction's mechanism (interaction/csrf.ts): a random value in an HttpOnly cookie
 * and an HMAC of it bound to a purpose (and the session, once signed in).
 */
export interface FirstPartyContext {
  deps: OAuthDeps;
  tenant: Tenant;
  tp: TenantProvider;
  /** `/{tenantId}`: where the tenant's pages live. */
  tenantPath: string;
  requestContext: RequestContext;
  session: TenantSession | undefined;
  /** The signed-in, enabled user of this tenant, if any. */
  user: User | undefined;
  csrfToken(purpose: string): string;
  csrfValid(purpose: string, presented: unknown): boolean;
}

type AnyRequest = FastifyRequest<{ Params: { tenant: string } }>;

/** Loads the context, or sends the unknown-tenant page (AADSTS90002) and returns undefined. */
export async function loadFirstPartyContext(
  request: AnyRequest,
  reply: FastifyReply,
  deps: OAuthDeps,
  cache: ProviderCache,
): Promise<FirstPartyContext | undefined> {
  const requestContext = bindRequestContext(request.raw, { requestId: request.id, ip: request.ip });
  const tenant = await lookupTenant(deps.db, request.params.tenant);
  if (!tenant) return void sendErrorPage(request, reply, deps, 90002, 404);
  requestContext.tenantId = tenant.id;
  const tp = await cache.get(tenant);
  const session = await readTenantSession(tp, request, reply);
  const user = session ? await getUser(deps.db, tenant.id, session.accountId) : undefined;
  const key = deriveKey(tp.runtime.cookieSecret, "first-party-csrf");
  const cookieName = `assent_fp_csrf_${tenant.id}`;
  let cookieValue = request.cookies[cookieName];
  if (!cookieValue && request.method === "GET") {
    cookieValue = newCsrfCookieValue();
    reply.setCookie(cookieName, cookieValue, {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: deps.publicUrl.startsWith("https:"),
      maxAge: 60 * 60,
    });
  }
  return {
    deps,
    tenant,
    tp,
    tenantPath: mountPathOf(deps.publicUrl, tenant.id),
    requestContext,
    session,
    user: user?.enabled ? user : undefined,
    csrfToken: (purpose) => (cookieValue ? csrfToken(key, purpose, cookieValue) : ""),
    csrfValid: (purpose, presented) => csrfTokenValid(key, purpose, cookieValue, presented),
  };
}

/** Sends an error page with the troubleshooting details (never redirects). */
export function sendFirstPartyError(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: Pick<FirstPartyContext, "deps">,
  code: number,
  status: number,
  app?: { name?: string | undefined; id?: string | undefined },
): FastifyReply {
  return sendErrorPage(request, reply, ctx.deps, code, status, app);
}
