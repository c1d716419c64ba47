import type { Middleware } from "oidc-provider";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../../../platform/db/index.ts";
import { reportedError } from "../errors/code-for.ts";
import { renderOidcError } from "../errors/render-error.tsx";

/**
 * While the database is unreachable (restarting, failed over, out of connections) a protocol
 * request answers 503 `temporarily_unavailable` with Retry-After, in words, instead of
 * oidc-provider's 500 `server_error`: the client should retry, nothing was half-done. Catches
 * both what oidc-provider's own error handler turned into a 500 and what Assent's middlewares
 * threw past it. Registered after `decorateJsonErrors`, so the JSON answer gets Entra's fields.
 */
export function answerDatabaseUnavailable(publicUrl: string): Middleware {
  const render = renderOidcError(publicUrl);
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status !== 500 || !isDatabaseUnavailable(reportedError(ctx))) return;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
    }
    ctx.status = 503;
    ctx.set("retry-after", "5");
    ctx.set("cache-control", "no-store");
    const out = {
      error: "temporarily_unavailable",
      error_description: DATABASE_UNAVAILABLE_MESSAGE,
    };
    // Koa's content negotiation, as oidc-provider's own error handler decides page or JSON.
    const accepts = (ctx as unknown as { accepts(...types: string[]): string | false }).accepts;
    if (ctx.method === "GET" && accepts.call(ctx, "json", "html") === "html")
      await render(ctx, out);
    else ctx.body = out;
  };
}
