import type { IncomingMessage } from "node:http";
import type { KoaContextWithOIDC, Middleware } from "oidc-provider";
import { findApplicationByAppId } from "../../apps/index.ts";
import { normaliseDelegatedScopes } from "../scopes.ts";
import type { TenantRuntime } from "./runtime.ts";

// oidc-provider's own limit for form bodies (lib/shared/selective_body.js).
const BODY_LIMIT = 56 * 1024;

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function clientIdOf(params: URLSearchParams, authorization: string): string | undefined {
  const fromBody = params.get("client_id");
  if (fromBody) return fromBody;
  const [scheme, value] = authorization.split(" ");
  if (scheme?.toLowerCase() !== "basic" || !value) return undefined;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const id = decoded.slice(0, Math.max(decoded.indexOf(":"), 0));
  try {
    return decodeURIComponent(id.replace(/\+/g, "%20")) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Normalises a refresh token request's Entra-style `scope` (`api://assent-mail/Mail.Read`,
 * bare `Mail.Read`) before oidc-provider compares it with the refresh token's scopes, which it
 * does before any configuration hook runs. The body is read here and handed over as `req.body`,
 * which oidc-provider reads instead of the stream (lib/shared/selective_body.js; it logs a
 * one-time notice that it does so: expected). `resource` is
 * dropped from every token request: as in Entra's v2.0 endpoint, the scope names the resource.
 */
async function rewriteTokenBody(ctx: KoaContextWithOIDC, rt: TenantRuntime, raw: string) {
  const params = new URLSearchParams(raw);
  params.delete("resource");
  const scope = params.get("scope");
  if (params.get("grant_type") === "refresh_token" && scope) {
    const clientId = clientIdOf(params, ctx.get("authorization"));
    const app = clientId ? await findApplicationByAppId(rt.db, clientId) : undefined;
    if (app) {
      const normalised = await normaliseDelegatedScopes(rt.db, rt.tenant.id, app.id, scope);
      params.set("scope", normalised.scope);
      if (normalised.resource) params.set("resource", normalised.resource.identifierUri);
    }
  }
  return params;
}

/**
 * Pre-middleware of the token endpoint: scope normalisation (above) and MSAL's `client_info`
 * (base64url `{"uid": oid, "utid": tid}`, returned when the request asks with client_info=1;
 * MSAL builds its account cache key from it).
 */
export function tokenRequest(rt: TenantRuntime, tokenPath: string): Middleware {
  return async (ctx, next) => {
    if (
      ctx.method !== "POST" ||
      ctx.path !== tokenPath ||
      !ctx.is("application/x-www-form-urlencoded")
    )
      return next();
    const raw = await readBody(ctx.req);
    if (raw === undefined) {
      ctx.status = 413;
      ctx.body = { error: "invalid_request", error_description: "request entity too large" };
      return;
    }
    let params: URLSearchParams;
    try {
      params = await rewriteTokenBody(ctx, rt, raw);
    } catch (error) {
      const e = error as { error?: string; error_description?: string; statusCode?: number };
      if (!e.error) throw error;
      ctx.state.oauthError = error;
      ctx.status = e.statusCode ?? 400;
      ctx.body = { error: e.error, error_description: e.error_description };
      return;
    }
    (ctx.req as IncomingMessage & { body?: string }).body = params.toString();
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    const accountId = ctx.oidc?.entities.Account?.accountId;
    if (params.get("client_info") === "1" && ctx.status === 200 && body?.access_token && accountId)
      body.client_info = Buffer.from(
        JSON.stringify({ uid: accountId, utid: rt.tenant.id }),
      ).toString("base64url");
  };
}
