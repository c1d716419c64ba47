import type { KoaContextWithOIDC, Middleware, Provider } from "oidc-provider";
import instance from "oidc-provider/lib/helpers/weak_cache.js";
import { codeFor, isBlockedApp } from "./code-for.ts";
import { blockedAppPageHtml, errorPageHtml } from "./render-error.tsx";
import { requestContextOf } from "./request-context.ts";
import { backChannelBody, frontChannelParams } from "./wire.ts";

// Every "<route>.error" event oidc-provider emits (docs: "Events"), plus server_error.
const ERROR_EVENTS = [
  "authorization.error",
  "grant.error",
  "introspection.error",
  "revocation.error",
  "userinfo.error",
  "jwks.error",
  "discovery.error",
  "end_session.error",
  "end_session_confirm.error",
  "end_session_success.error",
  "server_error",
];

/**
 * oidc-provider emits "<route>.error" before it writes an error; remembering the thrown error
 * on the context lets the writers below read its internal detail and Entra code.
 */
export function captureErrors(provider: Provider, onServerError: (err: unknown) => void): void {
  for (const event of ERROR_EVENTS) {
    provider.on(event, (ctx: KoaContextWithOIDC, err: unknown) => {
      ctx.state.oauthError = err;
      if (event === "server_error") onServerError(err);
    });
  }
}

/**
 * Post-middleware: every JSON error body oidc-provider writes (token, introspection,
 * revocation, userinfo) gets Entra's fields (error_codes, trace_id, correlation_id, timestamp,
 * error_uri, suberror). A pre/post middleware is oidc-provider's documented extension point.
 */
export function decorateJsonErrors(publicUrl: string): Middleware {
  return async (ctx, next) => {
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (
      ctx.status < 400 ||
      !body ||
      typeof body !== "object" ||
      Buffer.isBuffer(body) ||
      typeof body.error !== "string" ||
      "error_codes" in body
    )
      return;
    const description =
      typeof body.error_description === "string" ? body.error_description : undefined;
    const code = codeFor(ctx, body.error, description);
    ctx.body = backChannelBody(
      { ...body, error: body.error, error_description: description },
      code,
      requestContextOf(ctx.req),
      publicUrl,
    );
  };
}

// Access problems only an administrator can fix: the user sees them on a page with the
// troubleshooting details, whose link carries the error on to the app (the decision table in
// docs/ARCHITECTURE.md: "user sees: error page; client receives: ..."). Never for prompt=none,
// which must not show any page (OpenID Connect Core 1.0 section 3.1.2.1).
const SHOWN_TO_USER = new Set([50057, 50105, 7000112]);

function redirectTo(redirectUri: string, params: Record<string, string>, mode: string): string {
  const url = new URL(redirectUri);
  if (mode === "fragment") url.hash = new URLSearchParams(params).toString();
  else for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}

function silent(ctx: KoaContextWithOIDC): boolean {
  const prompt = ctx.oidc.params?.prompt;
  return typeof prompt === "string" && prompt.split(" ").includes("none");
}

/**
 * Front-channel errors (redirects to the app) get the same fields. oidc-provider registers its
 * query, fragment and form_post response modes when it is constructed and
 * `registerResponseMode` never replaces one, so the registered handlers are wrapped in place:
 * they still do the writing (and form_post keeps its CSP hash); only the error payload grows.
 */
export function decorateResponseModes(provider: Provider, publicUrl: string): void {
  const { responseModes } = instance(provider);
  for (const mode of ["query", "fragment", "form_post"]) {
    const original = responseModes.get(mode);
    if (!original) continue;
    responseModes.set(mode, function decorated(this: unknown, ctx, redirectUri, payload) {
      if (typeof payload.error !== "string") return original.call(this, ctx, redirectUri, payload);
      const code = codeFor(ctx, payload.error, payload.error_description);
      const context = requestContextOf(ctx.req);
      const params = frontChannelParams(payload, code, context, publicUrl);
      if (!SHOWN_TO_USER.has(code) || mode === "form_post" || silent(ctx))
        return original.call(this, ctx, redirectUri, params);
      ctx.status = 403;
      ctx.type = "html";
      const page = isBlockedApp(ctx, code) ? blockedAppPageHtml : errorPageHtml;
      ctx.body = page({
        code,
        context,
        publicUrl,
        appName: ctx.oidc.client?.clientName,
        appId: ctx.oidc.client?.clientId,
        continueUrl: redirectTo(redirectUri, params, mode),
      });
    });
  }
}
