import type { FastifyReply, FastifyRequest } from "fastify";
import { ZodError } from "zod";
import { toApiError } from "../../platform/http/index.ts";
import { unstorableAt } from "../unstorable-text.ts";

/**
 * An error of the Graph-shaped API, written by `sendGraphError` as Microsoft Graph writes its
 * errors: `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`.
 * Codes are Graph's own (`InvalidAuthenticationToken`, `ErrorAccessDenied`, ...), so clients
 * and SDKs written for Graph classify them unchanged.
 *
 * @example
 * throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
 */
export class GraphError extends Error {
  override name = "GraphError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * 403 naming the permissions that would have allowed the call, in the message (as Graph) and
 * in the challenge (RFC 6750 §3.1 `insufficient_scope`, for clients that read it).
 */
export function accessDenied(needed: readonly string[]): GraphError {
  return new GraphError(
    403,
    "ErrorAccessDenied",
    `Access is denied. Requires one of: ${needed.join(", ")}.`,
    {
      "www-authenticate": `Bearer realm="", error="insufficient_scope", scope="${needed.join(" ")}"`,
    },
  );
}

export function badRequest(message: string, code = "BadRequest"): GraphError {
  return new GraphError(400, code, message);
}

// Domain errors from the mailbox layer, as Graph names the same situations.
const GRAPH_CODES: Record<string, string> = {
  "mail.recipient_not_hosted": "ErrorInvalidRecipients",
  "mail.invalid_address": "ErrorInvalidRecipients",
  "mail.no_recipients": "ErrorInvalidRecipients",
};

function fallbackCode(status: number): string {
  if (status === 401) return "InvalidAuthenticationToken";
  if (status === 503) return "ServiceNotAvailable";
  if (status === 403) return "ErrorAccessDenied";
  if (status === 404) return "ErrorItemNotFound";
  if (status === 413) return "RequestBodyTooLarge";
  if (status === 415) return "UnsupportedMediaType";
  if (status === 429) return "TooManyRequests";
  return "BadRequest";
}

function toGraphError(error: unknown): GraphError {
  if (error instanceof GraphError) return error;
  if (error instanceof ZodError) {
    const detail = error.issues
      .map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`)
      .join("; ");
    return badRequest(`The request body is not valid. ${detail}.`);
  }
  // The platform's classification of the rest: Fastify's 4xx (body too large, invalid JSON,
  // unsupported media type, malformed URL), text the database cannot store (a second guard
  // behind refuseUnstorableText), the database unavailable (503), else an internal error.
  const apiError = toApiError(error);
  if (apiError.status < 500 || apiError.status === 503)
    return new GraphError(
      apiError.status,
      GRAPH_CODES[apiError.code] ?? fallbackCode(apiError.status),
      apiError.message,
      apiError.status === 503 ? { "retry-after": "5" } : {},
    );
  return new GraphError(
    500,
    "generalException",
    "An unspecified error has occurred. Try again; if it keeps failing, give the request-id to your administrator.",
  );
}

/**
 * 400 for a request whose path, query or body holds text Mail cannot store (a NUL byte or an
 * unpaired surrogate), naming the field. Called once the caller is authenticated and allowed,
 * so a bad token or a missing permission is still the answer it gets first.
 */
export function refuseUnstorableText(request: FastifyRequest): void {
  for (const [part, value] of [
    ["path", request.params],
    ["query", request.query],
    ["body", request.body],
  ] as const) {
    const at = unstorableAt(value);
    if (at !== undefined)
      throw badRequest(
        `The request's ${part}${at ? ` field '${at.slice(0, 100)}'` : ""} contains characters that cannot be stored (a NUL byte or an unpaired surrogate). Remove them and send the request again.`,
      );
  }
}

/** The caller's `client-request-id` when it is a sane token, else the request id (as Graph does). */
export function clientRequestId(request: FastifyRequest): string {
  const sent = request.headers["client-request-id"];
  return typeof sent === "string" && /^[\w.:-]{1,100}$/.test(sent) ? sent : request.id;
}

/** Writes any error thrown under /v1.0 in Graph's shape; internal detail goes to the log only. */
export function sendGraphError(request: FastifyRequest, reply: FastifyReply, error: unknown) {
  const graphError = toGraphError(error);
  if (graphError.status >= 500) request.log.error({ err: error }, "request failed");
  for (const [name, value] of Object.entries(graphError.headers)) reply.header(name, value);
  return reply
    .status(graphError.status)
    .type("application/json; charset=utf-8")
    .send({
      error: {
        code: graphError.code,
        message: graphError.message,
        innerError: {
          // Graph writes the UTC time without fractional seconds.
          date: new Date().toISOString().slice(0, 19),
          "request-id": request.id,
          "client-request-id": clientRequestId(request),
        },
      },
    });
}
