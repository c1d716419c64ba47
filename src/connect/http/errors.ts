import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ZodError } from "zod";
import { ApiError } from "../../platform/http/errors.ts";

/**
 * Connect's one API error, written in the Nylas v3 envelope so code written for Nylas (and its
 * SDK's `NylasApiError`) reads it unchanged: `{ request_id, error: { type, message,
 * provider_error } }`. `type` is Nylas's vocabulary (`invalid_request_error`, `unauthorized`,
 * `not_found_error`, `provider_error`, `api_error`).
 *
 * @example
 * throw new ConnectError(404, "not_found_error", `No grant ${id} for this application.`);
 */
export class ConnectError extends Error {
  override name = "ConnectError";
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly providerError?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) =>
  new ConnectError(400, "invalid_request_error", message);
export const notFound = (message: string) => new ConnectError(404, "not_found_error", message);

/** Maps anything thrown in a handler to a ConnectError; internal detail goes to the log only. */
export function toConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof ZodError) {
    const first = error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join(".") || "body"}: ${i.message}`)
      .join("; ");
    return badRequest(`The request is not valid: ${first}.`);
  }
  // The shared HTTP layer's own refusals (e.g. 414 for an over-long path segment).
  if (error instanceof ApiError && error.status >= 400 && error.status < 500)
    return new ConnectError(error.status, "invalid_request_error", error.message);
  const fe = error as Partial<FastifyError>;
  if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500)
    return new ConnectError(fe.statusCode, "invalid_request_error", fe.message ?? "Bad request.");
  return new ConnectError(
    500,
    "api_error",
    "Something went wrong on our side. Try again; if it keeps failing, quote the request id.",
  );
}

/** Writes the Nylas envelope. */
export function sendConnectError(request: FastifyRequest, reply: FastifyReply, error: unknown) {
  const e = toConnectError(error);
  if (e.status >= 500) request.log.error({ err: error }, "request failed");
  return reply
    .status(e.status)
    .type("application/json; charset=utf-8")
    .send({
      request_id: request.id,
      error: {
        type: e.type,
        message: e.message,
        ...(e.providerError === undefined ? {} : { provider_error: e.providerError }),
      },
    });
}

/**
 * An OAuth error of `POST /v3/connect/token`, in the shape Nylas's token endpoint (and its SDK's
 * `NylasOAuthError`) uses: `{ error, error_code, error_description, request_id }`.
 */
export class TokenError extends Error {
  override name = "TokenError";
  constructor(
    readonly status: number,
    readonly error: string,
    readonly errorCode: string,
    description: string,
  ) {
    super(description);
  }
}

export function sendTokenError(request: FastifyRequest, reply: FastifyReply, error: TokenError) {
  return reply.status(error.status).header("cache-control", "no-store").send({
    error: error.error,
    error_code: error.errorCode,
    error_description: error.message,
    request_id: request.id,
  });
}
