import type { FastifyReply, FastifyRequest } from "fastify";
import type { TenantProvider } from "../provider/provider-cache.ts";
import { markSecure } from "../provider/secure-cookies.ts";

// As the provider's own session lifetime (create-provider.ts, TTL.Session): a working day.
const SESSION_TTL_SECONDS = 24 * 60 * 60;

/**
 * The tenant's sign-in session, shared by the first-party pages (My apps, admin consent) and
 * the authorization endpoint: the same oidc-provider session, read from and written to the same
 * signed cookie, so signing in on one is signing in on the other.
 */
export interface TenantSession {
  accountId: string;
  /** The session's id: CSRF tokens of signed-in pages are bound to it. */
  id: string;
}

/** The signed-in account of the request's session cookie, if any. */
export async function readTenantSession(
  tp: TenantProvider,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<TenantSession | undefined> {
  const session = await tp.provider.Session.get({ req: request.raw, res: reply.raw });
  return session.accountId ? { accountId: session.accountId, id: session.jti } : undefined;
}

/**
 * Signs the account in: a new oidc-provider session and its cookie (signed with the provider's
 * cookie keys). Koa's cookie writer sets the header on the raw response; it is moved to
 * Fastify's reply so that Fastify's own Set-Cookie headers do not replace it.
 */
export async function startTenantSession(
  tp: TenantProvider,
  request: FastifyRequest,
  reply: FastifyReply,
  accountId: string,
): Promise<void> {
  const session = new tp.provider.Session();
  session.loginAccount({ accountId });
  await session.save(SESSION_TTL_SECONDS);
  const { cookies } = tp.provider.createContext(request.raw, reply.raw);
  // Secure behind a TLS proxy too, as the provider's own cookies (secure-cookies.ts).
  if (tp.runtime.publicUrl.startsWith("https:")) markSecure(cookies);
  cookies.set(tp.provider.cookieName("session"), session.jti, {
    httpOnly: true,
    sameSite: "lax",
    signed: true,
    maxAge: SESSION_TTL_SECONDS * 1000,
  });
  const written = reply.raw.getHeader("set-cookie");
  reply.raw.removeHeader("set-cookie");
  for (const header of [written].flat())
    if (typeof header === "string") reply.header("set-cookie", header);
}
