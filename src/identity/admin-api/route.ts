import type { FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { z } from "zod";
import type { Config } from "../../config/index.ts";
import type { KeyRing } from "../../platform/crypto/index.ts";
import type { Database } from "../../platform/db/index.ts";
import type { IdentityDB } from "../db.ts";
import type { RoutePermission } from "./authorize.ts";
import type { AdminCaller } from "./caller.ts";

/** What the admin API is built from: the Identity service's dependencies. */
export interface AdminApiDeps {
  config: Config;
  database: Database<IdentityDB>;
  keyRing: KeyRing;
  logger: Logger;
  /**
   * Whether Identity's background has an SMTP transport (SMTP_URL, or Mail's intake under
   * `assent start`); default: `Boolean(config.smtp)`.
   */
  emailConfigured?: () => boolean;
}

/** A non-JSON answer (an export): text chunks streamed as they are produced. */
export class StreamResponse {
  constructor(
    readonly contentType: string,
    readonly chunks: AsyncIterable<string>,
    /** Offered as the download's file name (Content-Disposition). */
    readonly filename?: string,
    /** Called once when the stream ends, fails or is abandoned by the client. */
    readonly onClose?: () => void,
  ) {}
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Authenticated and authorised; its tenant is the only one the handler may touch. */
  caller: AdminCaller;
  deps: AdminApiDeps;
  request: FastifyRequest;
  reply: FastifyReply;
  /** The absolute URL of this request with `cursor` set: the `@odata.nextLink` of a page. */
  nextLink(cursor: string | undefined): string | undefined;
}

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * One admin API operation: its path (OpenAPI syntax, `{id}`), the permission it needs, and
 * zod schemas for params, query, body and response. The same schemas validate requests, type
 * the handler, and document the operation in the OpenAPI 3.1 document.
 */
export interface AdminRoute<
  P extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  B extends Schema | undefined = Schema | undefined,
  R extends Schema = Schema,
> {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: `/api/v1/${string}`;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  permission: RoutePermission;
  params?: P;
  query?: Q;
  body?: B;
  /** The JSON answer; for a StreamResponse, the schema of what is streamed (documentation). */
  response: R;
  /** Success status (default 200). */
  status?: number;
  /** Content types of a StreamResponse route, instead of application/json. */
  produces?: string[];
  /** Error codes the operation may answer with, besides the ones every route has. */
  errors?: Array<{ status: number; code: string; description: string }>;
  handler(ctx: RouteContext<Out<P>, Out<Q>, Out<B>>): Promise<z.input<R> | StreamResponse>;
}

/**
 * Declares a route with its types inferred from its schemas.
 *
 * @example
 * export const getSignInRoute = defineRoute({
 *   method: "GET", path: "/api/v1/auditLogs/signIns/{id}", operationId: "getSignIn",
 *   summary: "One sign-in event", tags: ["Sign-in logs"],
 *   permission: { anyOf: ["AuditLog.Read.All"], directoryRoles: ["global_reader"] },
 *   params: z.object({ id: z.string() }), response: signInSchema,
 *   handler: ({ params, caller, deps }) => getSignIn(deps.database.db, caller.tenantId, params.id),
 * });
 */
export function defineRoute<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
  R extends Schema = Schema,
>(route: AdminRoute<P, Q, B, R>): AdminRoute {
  return route as unknown as AdminRoute;
}
