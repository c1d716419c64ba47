import type { IncomingMessage } from "node:http";

/**
 * What every error written for a request quotes: Entra's Trace ID (our request id),
 * Correlation ID (the client's `client-request-id`, or the request id) and Timestamp. Kept per
 * raw request so the Fastify side (which knows the request id) and the oidc-provider side
 * (which only sees the raw request) agree.
 */
export interface RequestContext {
  requestId: string;
  correlationId: string;
  timestamp: Date;
  ip: string;
  tenantId?: string;
}

// Kept on the raw request itself (a symbol-keyed property, hidden from everything else): a
// WeakMap entry per request costs an insertion and extra garbage collector work for each one.
const CONTEXT = Symbol("assent.requestContext");
type WithContext = IncomingMessage & { [CONTEXT]?: RequestContext };

const UUID_LIKE = /^[0-9a-zA-Z-]{1,64}$/;

/**
 * Records the context of a raw request. MSAL sends `client-request-id` as a header and as a
 * query parameter on token requests; either is taken when it is a plausible id.
 */
export function bindRequestContext(
  req: IncomingMessage,
  input: { requestId: string; ip: string; tenantId?: string; queryCorrelationId?: unknown },
): RequestContext {
  const header = req.headers["client-request-id"];
  const candidate = typeof header === "string" ? header : input.queryCorrelationId;
  const correlationId =
    typeof candidate === "string" && UUID_LIKE.test(candidate) ? candidate : input.requestId;
  const context: RequestContext = {
    requestId: input.requestId,
    correlationId,
    timestamp: new Date(),
    ip: input.ip,
    ...(input.tenantId ? { tenantId: input.tenantId } : {}),
  };
  (req as WithContext)[CONTEXT] = context;
  return context;
}

export function requestContextOf(req: IncomingMessage): RequestContext {
  return (
    (req as WithContext)[CONTEXT] ?? {
      requestId: "unknown",
      correlationId: "unknown",
      timestamp: new Date(),
      ip: req.socket.remoteAddress ?? "",
    }
  );
}

/** Entra's timestamp format: `2025-01-31 09:15:00Z`. */
export function entraTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")}Z`;
}
