import { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiError, sendApiError } from "../../platform/http/errors.ts";
import type { AdminTokenVerifier } from "./access-token.ts";
import { authorize } from "./authorize.ts";
import type { AdminCaller } from "./caller.ts";
import { authenticationRequired, BearerChallenge, invalidToken } from "./challenge.ts";
import { type AdminApiDeps, type AdminRoute, StreamResponse } from "./route.ts";

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token (the scheme is case-insensitive).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

// A NUL, or a UTF-16 surrogate without its pair: PostgreSQL's text and jsonb cannot hold them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what it looks for.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Where in a parsed request a string holds unstorable text (a field path), if anywhere. */
function unstorableAt(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === "string") return UNSTORABLE.test(value) ? path : undefined;
  if (depth > 32 || value === null || typeof value !== "object") return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = UNSTORABLE.test(key)
      ? path
      : unstorableAt(item, path ? `${path}.${key}` : key, depth + 1);
    if (at !== undefined) return at;
  }
  return undefined;
}

/**
 * 400 request.invalid_characters for text no column can store: refused here, in words, rather
 * than failing deep in a query or in the audit event's JSON.
 */
function refuseUnstorable(request: FastifyRequest): void {
  for (const [part, value] of [
    ["path", request.params],
    ["query", request.query],
    ["body", request.body],
  ] as const) {
    const at = unstorableAt(value, "");
    if (at !== undefined)
      throw new ApiError(
        400,
        "request.invalid_characters",
        `The ${part}${at ? ` field "${at}"` : ""} contains characters that cannot be stored (a NUL byte or an unpaired surrogate). Remove them and send it again.`,
      );
  }
}

/** `/api/v1/auditLogs/signIns/{id}` → `/api/v1/auditLogs/signIns/:id` (Fastify's syntax). */
export function fastifyPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ":$1");
}

async function authenticate(
  request: FastifyRequest,
  verify: AdminTokenVerifier,
): Promise<AdminCaller> {
  const header = request.headers.authorization;
  if (!header) throw authenticationRequired();
  const token = BEARER.exec(header)?.[1];
  if (!token) throw invalidToken('the Authorization header must be "Bearer" and an access token.');
  return verify(token);
}

function nextLinkOf(publicUrl: string, request: FastifyRequest, cursor: string | undefined) {
  if (!cursor) return undefined;
  const url = new URL(request.url, "http://placeholder");
  url.searchParams.set("cursor", cursor);
  return `${publicUrl}${url.pathname}${url.search}`;
}

/**
 * Registers the admin API's routes in their own encapsulated context: each request is
 * authenticated (bearer token), authorised (the route's permission, live directory roles),
 * then its params, query and body are parsed by the route's zod schemas (400
 * `request.invalid` with a detail per field) before the handler runs. Errors use the admin
 * API envelope; token failures also carry their `WWW-Authenticate` challenge.
 */
export async function registerAdminRoutes(
  app: FastifyInstance,
  routes: readonly AdminRoute[],
  deps: AdminApiDeps,
  verify: AdminTokenVerifier,
): Promise<void> {
  const { db } = deps.database;
  await app.register(async (scope) => {
    scope.setErrorHandler((error, request, reply) => {
      if (error instanceof BearerChallenge) reply.header("www-authenticate", error.wwwAuthenticate);
      return sendApiError(request, reply, error);
    });
    for (const route of routes) {
      scope.route({
        method: route.method,
        url: fastifyPath(route.path),
        handler: async (request, reply) => {
          const caller = await authorize(db, await authenticate(request, verify), route.permission);
          refuseUnstorable(request);
          const params = route.params ? route.params.parse(request.params) : undefined;
          const query = route.query ? route.query.parse(request.query ?? {}) : undefined;
          const body = route.body ? route.body.parse(request.body) : undefined;
          const result = await route.handler({
            params,
            query,
            body,
            caller,
            deps,
            request,
            reply,
            nextLink: (cursor) => nextLinkOf(deps.config.identity.publicUrl, request, cursor),
          });
          if (result instanceof StreamResponse) {
            reply.type(result.contentType).header("cache-control", "no-store");
            if (result.filename)
              reply.header("content-disposition", `attachment; filename="${result.filename}"`);
            const body = Readable.from(result.chunks, { objectMode: false });
            if (result.onClose) body.once("close", result.onClose);
            return reply.send(body);
          }
          return reply
            .status(route.status ?? 200)
            .header("cache-control", "no-store")
            .send(result);
        },
      });
    }
  });
}
