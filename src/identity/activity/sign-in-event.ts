import type { Insertable } from "kysely";
import { isUuid } from "../../platform/ids.ts";
import type { SignInEventsTable, SignInEventType, SignInStatus } from "./tables.ts";

export type { SignInEventType, SignInStatus };

/**
 * One sign-in, as the OAuth flows describe it to the recorder: an interactive or
 * non-interactive user sign-in, or a service principal's token request, that succeeded,
 * failed, or was interrupted (stopped at a consent or approval page). Fields follow Graph's
 * `signIn` resource and the portal's activity details.
 *
 * @example
 * recorder.record({
 *   tenantId, requestId: request.id, correlationId, eventType: "interactiveUser",
 *   status: "failure", errorCode: 50105, failureReason: "The signed in user is not assigned…",
 *   user: { id: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName },
 *   app: { appId: client.clientId, displayName: application.displayName },
 *   resource: { id: "api://assent-mail", displayName: "Assent Mail" },
 *   ipAddress: request.ip, userAgent: request.headers["user-agent"], clientAppUsed: "Browser",
 * });
 */
export interface SignInEvent {
  tenantId: string;
  /** The request id shown in the error page's troubleshooting block (and `x-request-id`). */
  requestId: string;
  /** The client's correlation id (`client-request-id`), when it sent one. */
  correlationId?: string | undefined;
  /** When it happened; defaults to the moment `record` is called. */
  createdAt?: Date | undefined;
  eventType: SignInEventType;
  status: SignInStatus;
  /** Entra-compatible code (AADSTS number); 0, the default, is success. */
  errorCode?: number | undefined;
  failureReason?: string | undefined;
  user?:
    | { id?: string | undefined; userPrincipalName?: string | undefined; displayName?: string }
    | undefined;
  /** The client's service principal (service principal sign-ins). */
  servicePrincipal?: { id: string; displayName?: string | undefined } | undefined;
  /** The client application: its client id, which may be unknown on a failed request. */
  app?: { appId: string; displayName?: string | undefined } | undefined;
  /** The resource the token is for: its app id or Application ID URI. */
  resource?: { id: string; displayName?: string | undefined } | undefined;
  ipAddress?: string | undefined;
  userAgent?: string | undefined;
  /** "Browser", "Mobile apps and desktop clients", "Confidential client", … */
  clientAppUsed?: string | undefined;
  additionalDetails?: Record<string, unknown> | undefined;
}

/** A row as the recorder inserts it: every column present, so one multi-row INSERT fits all. */
export type SignInRow = Required<Omit<Insertable<SignInEventsTable>, "id" | "error_code">> & {
  error_code: number;
};

// A cheap first look: most values are plain text and need no cleaning.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what it looks for.
const SUSPECT = /[\u0000\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const EVENT_TYPES: readonly string[] = [
  "interactiveUser",
  "nonInteractiveUser",
  "servicePrincipal",
];
const STATUSES: readonly string[] = ["success", "failure", "interrupted"];
// Lengths: user agents can be long, but a log row is not the place for a megabyte of one.
const MAX_TEXT = 256;
const MAX_LONG_TEXT = 1024;
// JSON details are diagnostics, not payloads: larger ones are replaced by a note.
const MAX_DETAILS_BYTES = 8 * 1024;

/** Thrown by toSignInRow for an event that can never be stored (the recorder counts it). */
export class InvalidSignInEvent extends Error {
  override name = "InvalidSignInEvent";
}

function text(value: unknown, max = MAX_TEXT): string | null {
  if (typeof value !== "string" || value === "") return null;
  const clean = storable(value);
  return clean.length > max ? clean.slice(0, max) : clean;
}

/**
 * PostgreSQL text holds neither NUL nor half a surrogate pair (a JS string can): either would
 * fail the whole batch, so they are removed or replaced (U+FFFD) here.
 */
function storable(value: string): string {
  if (!SUSPECT.test(value)) return value;
  return value.replaceAll("\u0000", "").replace(LONE_SURROGATE, "\uFFFD");
}

function uuid(value: unknown): string | null {
  return typeof value === "string" && isUuid(value) ? value.toLowerCase() : null;
}

// What JSON.stringify writes for a NUL or a lone surrogate, which jsonb refuses. A match may be
// a false alarm (an escaped backslash before "u0000"): then the careful path runs, no harm done.
const ESCAPED_SUSPECT = /\\u(?:0000|d[89a-f])/i;

function details(value: Record<string, unknown> | undefined): string {
  if (!value) return "{}";
  try {
    const plain = JSON.stringify(value);
    const json = ESCAPED_SUSPECT.test(plain)
      ? JSON.stringify(value, (_key, v: unknown) => (typeof v === "string" ? storable(v) : v))
      : plain;
    return json.length > MAX_DETAILS_BYTES ? JSON.stringify({ truncated: true }) : json;
  } catch {
    return JSON.stringify({ unserialisable: true });
  }
}

/**
 * Normalises an event into a row that the database will accept: every value that could make
 * the batch INSERT fail (a malformed uuid, a NUL byte, an oversized field) is cleaned here, so
 * one bad event cannot hold up the log. Throws InvalidSignInEvent only when the event lacks
 * what identifies it (tenant, request id, type, status).
 */
export function toSignInRow(event: SignInEvent, now: Date): SignInRow {
  const tenantId = uuid(event.tenantId);
  const requestId = text(event.requestId);
  if (!tenantId) throw new InvalidSignInEvent("the event has no valid tenantId");
  if (!requestId) throw new InvalidSignInEvent("the event has no requestId");
  if (!EVENT_TYPES.includes(event.eventType))
    throw new InvalidSignInEvent(`unknown eventType "${String(event.eventType)}"`);
  if (!STATUSES.includes(event.status))
    throw new InvalidSignInEvent(`unknown status "${String(event.status)}"`);
  const createdAt =
    event.createdAt instanceof Date && !Number.isNaN(event.createdAt.getTime())
      ? event.createdAt
      : now;
  const code = Number.isInteger(event.errorCode) ? (event.errorCode as number) : 0;
  return {
    tenant_id: tenantId,
    created_at: createdAt,
    request_id: requestId,
    correlation_id: text(event.correlationId),
    event_type: event.eventType,
    is_interactive: event.eventType === "interactiveUser",
    user_id: uuid(event.user?.id),
    user_principal_name: text(event.user?.userPrincipalName)?.toLowerCase() ?? null,
    user_display_name: text(event.user?.displayName),
    service_principal_id: uuid(event.servicePrincipal?.id),
    service_principal_name: text(event.servicePrincipal?.displayName),
    app_id: text(event.app?.appId),
    app_display_name: text(event.app?.displayName),
    resource_id: text(event.resource?.id, MAX_LONG_TEXT),
    resource_display_name: text(event.resource?.displayName),
    ip_address: text(event.ipAddress, 64),
    user_agent: text(event.userAgent, MAX_LONG_TEXT),
    client_app_used: text(event.clientAppUsed),
    status: event.status,
    // int4 range: anything else is not an Entra code.
    error_code: Math.abs(code) <= 2_147_483_647 ? code : 0,
    failure_reason: text(event.failureReason, MAX_LONG_TEXT),
    additional_details: details(event.additionalDetails),
  };
}
