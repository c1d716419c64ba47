import type { IncomingMessage } from "node:http";
import type { KoaContextWithOIDC, Middleware } from "oidc-provider";
import { acceptScopes } from "../scopes.ts";
import type { TenantRuntime } from "./runtime.ts";

// oidc-provider's own limit for form bodies (lib/shared/selective_body.js).
const BODY_LIMIT = 56 * 1024;

/**
 * The request body as text; undefined past the limit (the rest is drained and discarded, so the
 * 413 answer still reaches the client). Plain stream events with unnamed handlers: an async
 * iterator per request costs more than the small form bodies of a token endpoint take to read,
 * and so do named closures (the TypeScript loader names each one as it is made).
 */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
      // Past the limit: drop what was kept and answer at once; the rest is read and discarded.
      else if (size - chunk.length <= BODY_LIMIT) {
        chunks.length = 0;
        resolve(undefined);
      }
    });
    req.on("end", () => {
      if (size > BODY_LIMIT) return resolve(undefined);
      resolve(
        chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"),
      );
    });
    req.on("error", reject);
  });
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

// A body with nothing to rewrite (client credentials, code redemption): no parameter name is
// percent-encoded, and none of the names this rewrite looks at appears anywhere in it.
const PLAIN_BODY = /^(?![^]*(?:resource|client_info|refresh_token|(?:^|&)[^=&]*%))/;

/**
 * Normalises a refresh token request's Entra-style `scope` (`api://assent-mail/Mail.Read`,
 * bare `Mail.Read`) before oidc-provider compares it with the refresh token's scopes, which it
 * does before any configuration hook runs. The body is read here and handed over as `req.body`,
 * which oidc-provider reads instead of the stream (lib/shared/selective_body.js; it logs a
 * one-time notice that it does so: expected). `resource` is
 * dropped from every token request: as in Entra's v2.0 endpoint, the scope names the resource.
 */
async function rewriteTokenBody(
  ctx: KoaContextWithOIDC,
  rt: TenantRuntime,
  raw: string,
): Promise<{ body: string; clientInfo: boolean }> {
  if (PLAIN_BODY.test(raw)) return { body: raw, clientInfo: false };
  const params = new URLSearchParams(raw);
  const clientInfo = params.get("client_info") === "1";
  let changed = params.has("resource");
  params.delete("resource");
  const scope = params.get("scope");
  if (params.get("grant_type") === "refresh_token" && scope) {
    const clientId = clientIdOf(params, ctx.get("authorization"));
    const catalog = rt.catalog.apps;
    const client = clientId ? await catalog.client(clientId) : undefined;
    if (client) {
      const normalised = acceptScopes(await catalog.delegatedScopes(client.application.id, scope));
      params.set("scope", normalised.scope);
      if (normalised.resource) params.set("resource", normalised.resource.identifierUri);
      changed = true;
    }
  }
  // Unchanged (the common case): handed over as it came, not re-encoded.
  return { body: changed ? params.toString() : raw, clientInfo };
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
    let rewritten: { body: string; clientInfo: boolean };
    try {
      rewritten = await rewriteTokenBody(ctx, rt, raw);
    } catch (error) {
      const e = error as { error?: string; error_description?: string; statusCode?: number };
      if (!e.error) throw error;
      ctx.state.oauthError = error;
      ctx.status = e.statusCode ?? 400;
      ctx.body = { error: e.error, error_description: e.error_description };
      return;
    }
    (ctx.req as IncomingMessage & { body?: string }).body = rewritten.body;
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    const accountId = ctx.oidc?.entities.Account?.accountId;
    if (rewritten.clientInfo && ctx.status === 200 && body?.access_token && accountId)
      body.client_info = Buffer.from(
        JSON.stringify({ uid: accountId, utid: rt.tenant.id }),
      ).toString("base64url");
  };
}
