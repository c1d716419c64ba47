import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ZodError } from "zod";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../db/errors.ts";

/**
 * The one error of the admin REST API. It carries its own status and namespaced code
 * (`tenant.not_found`, `consent_request.already_decided`) and is written to the wire by
 * `sendApiError` as `{ error: { code, message, details }, request_id }`.
 *
 * @example
 * throw new ApiError(404, "tenant.not_found", `No tenant "${slug}". List tenants with GET /api/tenants.`);
 */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
  request_id: string;
}

/** Maps anything thrown in a handler to the envelope; internal detail goes to the log only. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ZodError) {
    return new ApiError(
      400,
      "request.invalid",
      "The request is not valid: see details for each field.",
      error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  }
  const fe = error as Partial<FastifyError>;
  if (fe.validation) {
    return new ApiError(400, "request.invalid", fe.message ?? "The request is not valid.");
  }
  if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code =
      fe.code === "FST_ERR_CTP_BODY_TOO_LARGE"
        ? "request.body_too_large"
        : fe.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
          ? "request.unsupported_media_type"
          : fe.statusCode === 429
            ? "request.rate_limited"
            : "request.invalid";
    return new ApiError(fe.statusCode, code, fe.message ?? "The request is not valid.");
  }
  // Text PostgreSQL cannot hold (a NUL byte, invalid UTF-8) sent in a field that reached a
  // query: the client's input, not our failure.
  if (isUnstorableText(error))
    return new ApiError(
      400,
      "request.invalid_characters",
      "The request contains characters that cannot be stored (such as a NUL byte). Remove them and send it again.",
    );
  // The database restarting or unreachable: a transient failure the client should retry.
  if (isDatabaseUnavailable(error))
    return new ApiError(503, "service.unavailable", DATABASE_UNAVAILABLE_MESSAGE);
  return new ApiError(
    500,
    "server.internal",
    "Something went wrong on our side. Try again; if it keeps failing, give your administrator the request id.",
  );
}

/** SQLSTATE 22021 (invalid byte sequence, e.g. NUL in text) or 22P05 (untranslatable character). */
function isUnstorableText(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "22021" || code === "22P05";
}

export function sendApiError(request: FastifyRequest, reply: FastifyReply, error: unknown) {
  const apiError = toApiError(error);
  if (apiError.status === 503) {
    request.log.warn({ err: error }, "request failed: database unavailable");
    reply.header("retry-after", "5");
  } else if (apiError.status >= 500) request.log.error({ err: error }, "request failed");
  const body: ApiErrorBody = {
    error: {
      code: apiError.code,
      message: apiError.message,
      ...(apiError.details === undefined ? {} : { details: apiError.details }),
    },
    request_id: request.id,
  };
  return reply.status(apiError.status).type("application/json; charset=utf-8").send(body);
}
