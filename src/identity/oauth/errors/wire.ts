import { catalogEntry } from "../error-catalog.ts";
import { codeInDescription } from "./entra-error.ts";
import { entraTimestamp, type RequestContext } from "./request-context.ts";

/**
 * The one place that writes Entra-compatible errors. `error_description` is
 * `AST<code>: <message>` then Trace ID, Correlation ID and Timestamp lines, as Entra's
 * (apps and support staff parse it); the code also travels as `error_codes`.
 */

/** The message after the code: Assent's own text for the code, plus oidc-provider's reason. */
function messageFor(code: number, description: string | undefined): string {
  if (description && codeInDescription(description) !== undefined)
    return description.replace(/^AST\d+: /, "");
  const message = catalogEntry(code).message;
  if (!description || description === "request is invalid" || message.includes(description))
    return message;
  return `${message} (${description})`;
}

export function errorDescription(
  code: number,
  description: string | undefined,
  context: RequestContext,
): string {
  return [
    `AST${code}: ${messageFor(code, description)}`,
    `Trace ID: ${context.requestId}`,
    `Correlation ID: ${context.correlationId}`,
    `Timestamp: ${entraTimestamp(context.timestamp)}`,
  ].join("\r\n");
}

export function errorUri(publicUrl: string, code: number): string {
  return `${publicUrl}/error?code=${code}`;
}

/**
 * The JSON body of a back-channel error (token, introspection, revocation, userinfo).
 *
 * @example
 * backChannelBody({ error: "invalid_grant" }, 54005, context, "https://id.example.com")
 */
export function backChannelBody(
  out: { error: string; error_description?: string | undefined; [key: string]: unknown },
  code: number,
  context: RequestContext,
  publicUrl: string,
): Record<string, unknown> {
  const { suberror } = catalogEntry(code);
  return {
    ...out,
    error: out.error,
    error_description: errorDescription(code, out.error_description, context),
    error_codes: [code],
    timestamp: entraTimestamp(context.timestamp),
    trace_id: context.requestId,
    correlation_id: context.correlationId,
    error_uri: errorUri(publicUrl, code),
    ...(suberror ? { suberror } : {}),
  };
}

/** The parameters of a front-channel error redirect (query, fragment or form_post). */
export function frontChannelParams(
  payload: Record<string, string>,
  code: number,
  context: RequestContext,
  publicUrl: string,
): Record<string, string> {
  const { suberror } = catalogEntry(code);
  return {
    ...payload,
    error_description: errorDescription(code, payload.error_description, context),
    error_codes: `[${code}]`,
    error_uri: errorUri(publicUrl, code),
    ...(suberror ? { suberror } : {}),
  };
}
