import type { FastifyInstance } from "fastify";
import { createAdminTokenVerifier } from "./access-token.ts";
import { registerApiDocs } from "./docs-page.tsx";
import { buildOpenApiDocument } from "./openapi.ts";
import { registerAdminRoutes } from "./register-routes.ts";
import type { AdminApiDeps } from "./route.ts";
import { ADMIN_API_ROUTES } from "./routes/index.ts";

/**
 * The admin REST API of Assent Identity under `/api/v1/...`, for the admin portal and for
 * automation: bearer access tokens for api://assent-admin from the caller's own tenant, zod
 * schemas on every operation, and the OpenAPI 3.1 document built from them at
 * `GET /api/openapi.json`, browsable at `GET /api/docs`. Registered once by the composition root (src/identity/app.ts).
 *
 * @example
 * await registerAdminApi(app, { config, database, keyRing, logger });
 */
export async function registerAdminApi(app: FastifyInstance, deps: AdminApiDeps): Promise<void> {
  const verify = createAdminTokenVerifier({
    db: deps.database.db,
    keyRing: deps.keyRing,
    publicUrl: deps.config.identity.publicUrl,
  });
  await registerAdminRoutes(app, ADMIN_API_ROUTES, deps, verify);
  // Built once, on first use: the routes do not change while the process runs, and building it
  // (zod to JSON Schema for every route) costs start-up time and memory few nodes ever need.
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  const openApiDocument = () => {
    document ??= buildOpenApiDocument(ADMIN_API_ROUTES, {
      serverUrl: deps.config.identity.publicUrl,
    });
    return document;
  };
  app.get("/api/openapi.json", async (_request, reply) =>
    reply.header("cache-control", "public, max-age=300").send(openApiDocument()),
  );
  registerApiDocs(app, openApiDocument);
}

export { type AdminTokenVerifier, createAdminTokenVerifier } from "./access-token.ts";
export { authorize, type RoutePermission } from "./authorize.ts";
export { type AdminCaller, actorOf } from "./caller.ts";
export { BearerChallenge } from "./challenge.ts";
export { buildOpenApiDocument } from "./openapi.ts";
export {
  type AdminApiDeps,
  type AdminRoute,
  defineRoute,
  type RouteContext,
  StreamResponse,
} from "./route.ts";
export { ADMIN_API_ROUTES } from "./routes/index.ts";
