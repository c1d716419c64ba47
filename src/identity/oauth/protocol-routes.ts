import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../../platform/db/index.ts";
import type { RequestInterceptor } from "../../platform/http/index.ts";
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
  req: IncomingMessage,
  res: ServerResponse,
  deps: OAuthDeps,
  path: string,
  failure: { status: number; code: number; error: string; description?: string },
  clientId?: unknown,
): void {
  const context = requestContextOf(req);
  res.statusCode = failure.status;
  res.setHeader("cache-control", "no-store");
  if (failure.status === 503) res.setHeader("retry-after", "5");
  if (req.method === "GET" && FRONT_CHANNEL.test(path)) {
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(
      errorPageHtml({
        code: failure.code,
        context,
        publicUrl: deps.publicUrl,
        appId: typeof clientId === "string" ? clientId : undefined,
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

/** The answer to a request that failed past the tenant lookup's start (see serveTenant). */
function failed(
  error: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  deps: OAuthDeps,
  path: string,
  log: FastifyBaseLogger,
  clientId?: unknown,
): void {
  // The database restarting or unreachable (the tenant read is the first query): the client
  // should retry, as the provider's own answer says past this point (503).
  const unavailable = isDatabaseUnavailable(error);
  if (unavailable) log.warn({ err: error }, "oauth request failed: database unavailable");
  else log.error({ err: error }, "oauth request failed");
  if (res.headersSent) return void res.destroy();
  const failure = unavailable
    ? {
        status: 503,
        code: 50000,
        error: "temporarily_unavailable",
        description: DATABASE_UNAVAILABLE_MESSAGE,
      }
    : { status: 500, code: 50000, error: "server_error" };
  sendError(req, res, deps, path, failure, clientId);
}

/**
 * The security headers the platform's helmet sets, captured from the first protocol response
 * and replayed on the next ones: @fastify/helmet builds its middleware again for every request,
 * a cost the hottest endpoints (token, authorize) need not pay for the same fixed headers.
 * `replay` sets them on a response Fastify never saw (the token lane), once they are known.
 */
function securityHeaders() {
  let captured: Array<[string, number | string | string[]]> | undefined;
  return {
    apply(reply: FastifyReply): void {
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
    },
    /** False until a response through Fastify has captured them. */
    replay(res: ServerResponse): boolean {
      if (!captured) return false;
      for (const [name, value] of captured) res.setHeader(name, value);
      return true;
    },
  };
}

// The token endpoint without a query string, as every OAuth client posts to it. The tenant
// segment (an id, slug or domain) is as long as Fastify's router allows, and not
// percent-encoded: anything else goes to Fastify, whose router answers it (414, bad URL).
const TOKEN_REQUEST = /^\/([^/?#%]{1,500})(\/oauth2\/v2\.0\/token)$/;

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
  options: { deps: OAuthDeps; cache: ProviderCache; interceptor?: RequestInterceptor },
): Promise<void> {
  const { deps, cache } = options;
  const headers = securityHeaders();

  /** The request, its context bound, served by the tenant's provider with the prefix stripped. */
  const serveTenant = async (
    raw: IncomingMessage & { originalUrl?: string },
    res: ServerResponse,
    tenantRef: string,
    path: string,
    clientId?: unknown,
  ) => {
    const original = raw.url ?? "/";
    const tenant = await lookupTenant(deps.db, tenantRef);
    if (!tenant) {
      const failure = { status: 400, code: 90002, error: "invalid_tenant" };
      return sendError(raw, res, deps, path, failure, clientId);
    }
    requestContextOf(raw).tenantId = tenant.id;
    const { handle } = await cache.get(tenant);
    raw.url = path;
    raw.originalUrl = `${mountPathOf(deps.publicUrl, tenant.id)}${path}`;
    try {
      await handle(raw, res);
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
    bindRequestContext(request.raw, {
      requestId: request.id,
      ip: request.ip,
      queryCorrelationId: request.query["client-request-id"],
    });
    reply.raw.setHeader("x-request-id", request.id);
    headers.apply(reply);
    const clientId = request.query.client_id;
    serveTenant(request.raw, reply.raw, request.params.tenant, path, clientId).catch(
      (error: unknown) => failed(error, request.raw, reply.raw, deps, path, request.log, clientId),
    );
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

  // The token lane: token requests are the bulk of an authorization server's traffic (every
  // client credentials token, code redemption and refresh), and all they need of Fastify is
  // what the route above does by hand anyway. So they skip its router and request objects, with
  // the same request id, headers, context, errors and log line. Left to Fastify: anything else,
  // a token request with a query string, behind a trusted proxy (Fastify works out the client's
  // address), and the first one (it captures the security headers the lane replays).
  if (!options.interceptor || deps.trustProxy) return;
  const log = app.log;
  options.interceptor.handle = (req, res) => {
    if (req.method !== "POST") return false;
    const match = TOKEN_REQUEST.exec(req.url ?? "");
    if (!match || !headers.replay(res)) return false;
    const started = performance.now();
    const requestId = randomUUID();
    bindRequestContext(req, { requestId, ip: req.socket.remoteAddress ?? "" });
    res.setHeader("x-request-id", requestId);
    const tenantRef = match[1] as string;
    const path = match[2] as string;
    res.once("finish", () => {
      const ms = Math.round(performance.now() - started);
      log.info(
        { request_id: requestId, method: "POST", url: req.url, status: res.statusCode, ms },
        "request",
      );
    });
    serveTenant(req, res, tenantRef, path).catch((error: unknown) =>
      failed(error, req, res, deps, path, log.child({ request_id: requestId })),
    );
    return true;
  };
}
