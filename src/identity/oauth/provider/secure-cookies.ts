import type { Middleware } from "oidc-provider";

/** The part of Koa's cookie jar (the `cookies` package) whose default `secure` is set here. */
interface CookieJar {
  secure?: boolean;
}

/**
 * An https public URL means browsers reach Assent over TLS, at a proxy if not here, so every
 * cookie must be Secure. Koa marks cookies Secure only when it sees https itself, which behind
 * a TLS-terminating proxy needs ASSENT_TRUST_PROXY; without it oidc-provider's session,
 * interaction and resume cookies went out without Secure while Assent's own cookies (which
 * follow the public URL) had it. The request is declared secure (oidc-provider's second cookie
 * jar, `ctx.oidc.cookies`, follows `ctx.secure`), so the provider's cookies follow the public
 * URL too. Only the scheme is taken from the public URL: client IPs still need the proxy trusted.
 */
export function secureCookiesFor(publicUrl: string): Middleware | undefined {
  if (!publicUrl.startsWith("https:")) return undefined;
  return async (ctx, next) => {
    Object.defineProperty((ctx as unknown as { request: object }).request, "secure", {
      value: true,
      configurable: true,
    });
    markSecure((ctx as unknown as { cookies: CookieJar }).cookies);
    await next();
  };
}

/** Makes a Koa cookie jar write Secure cookies by default (`cookies` package's `secure`). */
export function markSecure(cookies: unknown): void {
  (cookies as CookieJar).secure = true;
}
