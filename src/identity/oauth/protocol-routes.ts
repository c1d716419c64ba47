import type { IncomingMessage } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errorPageHtml } from "./errors/render-error.tsx";
import { bindRequestContext, type RequestContext } from "./errors/request-context.ts";
import { backChannelBody } from "./errors/wire.ts";
import type { ProviderCache } from "./provider/provider-cache.ts";
import { mountPathOf, type OAuthDeps } from "./provider/runtime.ts";
import { lookupTenant } from "./tenant-lookup.ts";

type Request = FastifyRequest<{ Params: { tenant: string }; Querystring: Record<string, unknown> }>;

const DISCOVERY = "/.well-known/openid-configuration";
// Endpoints a browser navigates to: their errors are pages, the others' are JSON.
const FRONT_CHANNEL = /^\/oauth2\/v2\.0\/(authorize|logout)(\/|\?|$)/;

function tenantNotFound(
  request: Request,
  reply: FastifyReply,
  deps: OAuthDeps,
  context: RequestContext,
  path: string,
) {
  if (request.method === "GET" && FRONT_CHANNEL.test(path)) {
    const appId = request.query.client_id;
    return reply
      .code(400)
      .type("text/html; charset=utf-8")
      .send(
        errorPageHtml({
          code: 90002,
          context,
          publicUrl: deps.publicUrl,
          appId: typeof appId === "string" ? appId : undefined,
        }),
      );
  }
  return reply
    .code(400)
    .header("cache-control", "no-store")
    .send(backChannelBody({ error: "invalid_tenant" }, 90002, context, deps.publicUrl));
}

/**
 * The protocol endpoints of every tenant, Entra-shaped: `/{tenant}/oauth2/v2.0/*`,
 * `/{tenant}/discovery/v2.0/keys` and `/{tenant}/v2.0/.well-known/openid-configuration`, where
 * `{tenant}` is the tenant's id, slug or a verified domain. Each request goes to the tenant's
 * oidc-provider with the `/{tenant}` prefix stripped; oidc-provider derives its endpoint URLs
 * from the stripped prefix (`req.originalUrl` minus `req.url`), which is set to the canonical
 * `/{tenantId}`, so discovery lists the same URLs whichever name the client used.
 */
export async function protocolRoutes(
  app: FastifyInstance,
  options: { deps: OAuthDeps; cache: ProviderCache },
): Promise<void> {
  const { deps, cache } = options;
  // oidc-provider reads request bodies itself: leave the stream untouched.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, _payload, done) => done(null));

  const handler = async (request: Request, reply: FastifyReply) => {
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
    const tenant = await lookupTenant(deps.db, request.params.tenant);
    if (!tenant) return tenantNotFound(request, reply, deps, context, path);
    context.tenantId = tenant.id;
    const { handle } = await cache.get(tenant);
    reply.hijack();
    reply.raw.setHeader("x-request-id", request.id);
    raw.url = path;
    raw.originalUrl = `${mountPathOf(deps.publicUrl, tenant.id)}${path}`;
    try {
      await handle(raw, reply.raw);
    } finally {
      raw.url = original;
      delete raw.originalUrl;
    }
  };

  const methods = ["GET", "POST", "OPTIONS"] as const;
  app.route({ method: [...methods], url: "/:tenant/oauth2/v2.0/*", handler });
  app.route({ method: ["GET", "OPTIONS"], url: "/:tenant/discovery/v2.0/keys", handler });
  app.route({ method: ["GET", "OPTIONS"], url: `/:tenant/v2.0${DISCOVERY}`, handler });
}
