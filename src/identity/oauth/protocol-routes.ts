import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../../platform/db/index.ts";
import { errorPageHtml } from "./errors/render-error.tsx";
import { bindRequestContext, requestContextOf } from "./errors/request-context.ts";
import { backChannelBody } from "./errors/wire.ts";
import type { ProviderCache } from "./provider/provider-cache.ts";
import { mountPathOf, type OAuthDeps } from "./provider/runtime.ts";
import { lookupTenant } from "./tenant-lookup.ts";

type Request = FastifyRequest<{ Params: { tenant: string }; Querystring: Record<string, unknown> }>;

const DISCOVERY = "/.well-known/openid-configuration";
// Endpoints a browser navigates to: their errors are pages, the others' are JSON.
const FRONT_CHANNEL = /^\/oauth2\/v2\.0\/(authorize|logout)(\/|\?|$)/;

/**
 * An error answered before the tenant's provider runs (unknown tenant 90002, a failure such as
 * an unreachable database 50000): a page for a browser at the front channel, else Entra JSON.
 */
function sendError(
  request: Request,
  res: ServerResponse,
  deps: OAuthDeps,
  path: string,
  failure: { status: number; code: number; error: string; description?: string },
): void {
  const context = requestContextOf(request.raw);
  res.statusCode = failure.status;
  res.setHeader("cache-control", "no-store");
  if (failure.status === 503) res.setHeader("retry-after", "5");
  if (request.method === "GET" && FRONT_CHANNEL.test(path)) {
    const appId = request.query.client_id;
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(
      errorPageHtml({
        code: failure.code,
        context,
        publicUrl: deps.publicUrl,
        appId: typeof appId === "string" ? appId : undefined,
      }),
    );
    return;
  }
  res.setHeader("content-type", "application/json; charset=utf-8");
  const body = backChannelBody(
    { error: failure.error, error_description: failure.description },
    failure.code,
    context,
    deps.publicUrl,
  );
  res.end(JSON.stringify(body));
}

/**
 * The security headers the platform's helmet sets, captured from the first protocol response
 * and replayed on the next ones: @fastify/helmet builds its middleware again for every request,
 * a cost the hottest endpoints (token, authorize) need not pay for the same fixed headers.
 */
function securityHeaders(): (reply: FastifyReply) => void {
  let captured: Array<[string, number | string | string[]]> | undefined;
  return (reply) => {
    const raw = reply.raw;
    if (captured) {
      for (const [name, value] of captured) raw.setHeader(name, value);
      return;
    }
    const before = new Set(raw.getHeaderNames());
    (reply as FastifyReply & { helmet?: () => void }).helmet?.();
    captured = raw
      .getHeaderNames()
      .filter((name) => !before.has(name))
      .map((name) => [name, raw.getHeader(name) as number | string | string[]]);
  };
}

/**
 * The protocol endpoints of every tenant, Entra-shaped: `/{tenant}/oauth2/v2.0/*`,
 * `/{tenant}/discovery/v2.0/keys` and `/{tenant}/v2.0/.well-known/openid-configuration`, where
 * `{tenant}` is the tenant's id, slug or a verified domain. Each request goes to the tenant's
 * oidc-provider with the `/{tenant}` prefix stripped; oidc-provider derives its endpoint URLs
 * from the stripped prefix (`req.originalUrl` minus `req.url`), which is set to the canonical
 * `/{tenantId}`, so discovery lists the same URLs whichever name the client used.
 *
 * The request is taken over in the route's onRequest hook: oidc-provider parses bodies and
 * writes responses itself, so Fastify's body parsing, validation and handler stages would only
 * add work to every token and authorization request.
 */
export async function protocolRoutes(
  app: FastifyInstance,
  options: { deps: OAuthDeps; cache: ProviderCache },
): Promise<void> {
  const { deps, cache } = options;
  const applySecurityHeaders = securityHeaders();

  const serve = async (request: Request, reply: FastifyReply, path: string) => {
    const raw = request.raw as IncomingMessage & { originalUrl?: string };
    const original = raw.url ?? "/";
    const context = bindRequestContext(raw, {
      requestId: request.id,
      ip: request.ip,
      queryCorrelationId: request.query["client-request-id"],
    });
    reply.raw.setHeader("x-request-id", request.id);
    applySecurityHeaders(reply);
    const tenant = await lookupTenant(deps.db, request.params.tenant);
    if (!tenant) {
      const failure = { status: 400, code: 90002, error: "invalid_tenant" };
      return sendError(request, reply.raw, deps, path, failure);
    }
    context.tenantId = tenant.id;
    const { handle } = await cache.get(tenant);
    raw.url = path;
    raw.originalUrl = `${mountPathOf(deps.publicUrl, tenant.id)}${path}`;
    try {
      await handle(raw, reply.raw);
    } finally {
      raw.url = original;
      // Not `delete`: that would turn every request object into a slow dictionary-mode one.
      raw.originalUrl = undefined;
    }
  };

  const onRequest = (request: Request, reply: FastifyReply, done: () => void) => {
    reply.hijack();
    const url = request.raw.url ?? "/";
    const afterTenant = url.slice(url.indexOf("/", 1));
    const path = afterTenant.startsWith(`/v2.0${DISCOVERY}`)
      ? afterTenant.slice("/v2.0".length)
      : afterTenant;
    serve(request, reply, path).catch((error: unknown) => {
      // The database restarting or unreachable (the tenant read is the first query): the
      // client should retry, as the provider's own answer says past this point (503).
      const unavailable = isDatabaseUnavailable(error);
      if (unavailable)
        request.log.warn({ err: error }, "oauth request failed: database unavailable");
      else request.log.error({ err: error }, "oauth request failed");
      if (reply.raw.headersSent) return void reply.raw.destroy();
      const failure = unavailable
        ? {
            status: 503,
            code: 50000,
            error: "temporarily_unavailable",
            description: DATABASE_UNAVAILABLE_MESSAGE,
          }
        : { status: 500, code: 50000, error: "server_error" };
      sendError(request, reply.raw, deps, path, failure);
    });
    done();
  };
  const unreachable = async () => {
    throw new Error("protocol requests are served by their onRequest hook");
  };
  const routeOptions = { onRequest, handler: unreachable, helmet: false } as const;

  const methods = ["GET", "POST", "OPTIONS"] as const;
  app.route({ method: [...methods], url: "/:tenant/oauth2/v2.0/*", ...routeOptions });
  app.route({ method: ["GET", "OPTIONS"], url: "/:tenant/discovery/v2.0/keys", ...routeOptions });
  app.route({ method: ["GET", "OPTIONS"], url: `/:tenant/v2.0${DISCOVERY}`, ...routeOptions });
}
