import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errorPageHtml } from "./errors/render-error.tsx";
import {
  bindRequestContext,
  type RequestContext,
  requestContextOf,
} from "./errors/request-context.ts";
import { backChannelBody } from "./errors/wire.ts";
import type { ProviderCache } from "./provider/provider-cache.ts";
import { mountPathOf, type OAuthDeps } from "./provider/runtime.ts";
import { lookupTenant } from "./tenant-lookup.ts";

type Request = FastifyRequest<{ Params: { tenant: string }; Querystring: Record<string, unknown> }>;

const DISCOVERY = "/.well-known/openid-configuration";
// Endpoints a browser navigates to: their errors are pages, the others' are JSON.
const FRONT_CHANNEL = /^\/oauth2\/v2\.0\/(authorize|logout)(\/|\?|$)/;

/** AADSTS90002: as a page for a browser at the front channel, else as JSON. */
function sendTenantNotFound(
  request: Request,
  res: ServerResponse,
  deps: OAuthDeps,
  context: RequestContext,
  path: string,
): void {
  res.statusCode = 400;
  res.setHeader("cache-control", "no-store");
  if (request.method === "GET" && FRONT_CHANNEL.test(path)) {
    const appId = request.query.client_id;
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(
      errorPageHtml({
        code: 90002,
        context,
        publicUrl: deps.publicUrl,
        appId: typeof appId === "string" ? appId : undefined,
      }),
    );
    return;
  }
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(
    JSON.stringify(backChannelBody({ error: "invalid_tenant" }, 90002, context, deps.publicUrl)),
  );
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

  const serve = async (request: Request, reply: FastifyReply) => {
    const raw = request.raw as IncomingMessage & { originalUrl?: string };
    const original = raw.url ?? "/";
    const afterTenant = original.slice(original.indexOf("/", 1));
    const wellKnown = afterTenant.startsWith(`/v2.0${DISCOVERY}`);
    const path = wellKnown ? afterTenant.slice("/v2.0".length) : afterTenant;
    const context = bindRequestContext(raw, {
      requestId: request.id,
      ip: request.ip,
      queryCorrelationId: request.query["client-request-id"],
    });
    reply.raw.setHeader("x-request-id", request.id);
    applySecurityHeaders(reply);
    const tenant = await lookupTenant(deps.db, request.params.tenant);
    if (!tenant) return sendTenantNotFound(request, reply.raw, deps, context, path);
    context.tenantId = tenant.id;
    const { handle } = await cache.get(tenant);
    raw.url = path;
    raw.originalUrl = `${mountPathOf(deps.publicUrl, tenant.id)}${path}`;
    try {
      await handle(raw, reply.raw);
    } finally {
      raw.url = original;
      delete raw.originalUrl;
    }
  };

  const onRequest = (request: Request, reply: FastifyReply, done: () => void) => {
    reply.hijack();
    serve(request, reply).catch((error: unknown) => {
      request.log.error({ err: error }, "oauth request failed");
      const res = reply.raw;
      if (res.headersSent) return void res.destroy();
      const context = requestContextOf(request.raw);
      res.statusCode = 500;
      res.setHeader("content-type", "application/json; charset=utf-8");
      res.setHeader("cache-control", "no-store");
      res.end(
        JSON.stringify(backChannelBody({ error: "server_error" }, 50000, context, deps.publicUrl)),
      );
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
