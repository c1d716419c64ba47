import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { KeyRing } from "../../platform/crypto/index.ts";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { enqueue } from "../../platform/jobs/index.ts";
import {
  enqueueWebhook,
  generateWebhookSecret,
  WEBHOOK_JOB_KIND,
  type WebhookEndpointTarget,
  type WebhookJobPayload,
  webhookTargetProblem,
} from "../../platform/webhooks/index.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { isUuid } from "../directory/index.ts";
import {
  deleteEndpoint,
  disableEndpoint,
  type EndpointRow,
  insertEndpoint,
  selectDeliveries,
  selectDelivery,
  selectEndpoints,
  selectJobPayload,
} from "./webhook-endpoint-queries.ts";

/**
 * A tenant's webhook endpoints for consent request events: signed (Standard Webhooks), retried
 * with backoff and logged per attempt by platform/webhooks. The secret is shown once, when the
 * endpoint is created, and stored encrypted under the key ring, bound to the endpoint's id.
 */

export const CONSENT_REQUEST_EVENT_TYPES = [
  "consent_request.created",
  "consent_request.updated",
  "consent_request.approved",
  "consent_request.denied",
  "consent_request.blocked",
  "consent_request.expired",
  "consent_request.withdrawn",
] as const;
export type ConsentRequestEventType = (typeof CONSENT_REQUEST_EVENT_TYPES)[number];

/** An endpoint as the API shows it: never its secret. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  createdAt: Date;
}

const secretContext = (tenantId: string, id: string) => `webhook_endpoint:${tenantId}:${id}`;

function publicShape(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    createdAt: row.createdAt,
  };
}

/**
 * Registers an endpoint. The URL must pass the SSRF check (https and a public address in
 * production). Returns the `whsec_` secret: the only time it is shown.
 */
export async function createWebhookEndpoint(
  db: Kysely<IdentityDB>,
  keyRing: KeyRing,
  tenantId: string,
  input: { url: string; eventTypes: readonly string[]; description?: string | null | undefined },
  actor: AuditActor,
  options: { allowLoopback: boolean },
): Promise<WebhookEndpoint & { secret: string }> {
  const problem = webhookTargetProblem(input.url, { allowLoopback: options.allowLoopback });
  if (problem) throw new ApiError(400, "webhook_endpoint.invalid_url", problem);
  const eventTypes = [...new Set(input.eventTypes)];
  const unknown = eventTypes.filter(
    (t) => !(CONSENT_REQUEST_EVENT_TYPES as readonly string[]).includes(t),
  );
  if (eventTypes.length === 0 || unknown.length > 0)
    throw new ApiError(
      400,
      "webhook_endpoint.invalid_event_types",
      `Subscribe to one or more of ${CONSENT_REQUEST_EVENT_TYPES.join(", ")}${unknown.length > 0 ? ` (not: ${unknown.join(", ")})` : ""}.`,
    );
  const id = randomUUID();
  const secret = generateWebhookSecret();
  return inTransaction(db, async (trx) => {
    const row = await insertEndpoint(trx, {
      id,
      tenantId,
      url: input.url,
      description: input.description?.trim() || null,
      secretEncrypted: keyRing.encrypt(secret, secretContext(tenantId, id)),
      eventTypes,
    });
    await recordAudit(trx, {
      tenantId,
      activity: "Add webhook endpoint",
      category: "Policy",
      actor,
      targets: [{ type: "WebhookEndpoint", id, displayName: input.url }],
      modifiedProperties: [{ name: "EventTypes", oldValue: null, newValue: eventTypes }],
    });
    return { ...publicShape(row), secret };
  });
}

export async function listWebhookEndpoints(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<WebhookEndpoint[]> {
  return isUuid(tenantId) ? (await selectEndpoints(db, tenantId)).map(publicShape) : [];
}

function notFound(id: string): ApiError {
  return new ApiError(
    404,
    "webhook_endpoint.not_found",
    `No webhook endpoint "${id}" in this tenant.`,
  );
}

/** Removes an endpoint; its pending deliveries are dropped when they next run. */
export async function deleteWebhookEndpoint(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  actor: AuditActor,
): Promise<void> {
  if (!isUuid(id)) throw notFound(id);
  await inTransaction(db, async (trx) => {
    const row = await deleteEndpoint(trx, tenantId, id);
    if (!row) throw notFound(id);
    await recordAudit(trx, {
      tenantId,
      activity: "Delete webhook endpoint",
      category: "Policy",
      actor,
      targets: [{ type: "WebhookEndpoint", id, displayName: row.url }],
    });
  });
}

/** The newest delivery attempts to an endpoint (the delivery log). */
export async function listWebhookDeliveries(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  limit = 50,
) {
  if (!isUuid(id) || (await selectEndpoints(db, tenantId, { id })).length === 0) throw notFound(id);
  const rows = await selectDeliveries(db, tenantId, id, limit);
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    eventType: r.event_type,
    attempt: r.attempt,
    url: r.url,
    statusCode: r.status_code,
    responseExcerpt: r.response_excerpt,
    durationMs: r.duration_ms,
    error: r.error,
    createdAt: r.created_at,
  }));
}

/**
 * Sends an event again to an endpoint, as the delivery log row `deliveryId` sent it: a new
 * outbox job with the same payload and the same `webhook-id` (receivers that dedupe see it as
 * the same event), delivered by the background worker with the usual retries. Only the
 * tenant's own endpoints and deliveries are found; an event whose job retention has purged
 * cannot be sent again (409, in words).
 */
export async function resendWebhookDelivery(
  db: Kysely<IdentityDB>,
  tenantId: string,
  endpointId: string,
  deliveryId: string,
  actor: AuditActor,
): Promise<{ eventId: string; eventType: string }> {
  if (!isUuid(tenantId) || !isUuid(endpointId)) throw notFound(endpointId);
  const [endpoint] = await selectEndpoints(db, tenantId, { id: endpointId });
  if (!endpoint) throw notFound(endpointId);
  const deliveryNotFound = new ApiError(
    404,
    "webhook_delivery.not_found",
    `No delivery "${deliveryId}" of this endpoint: pick one from its delivery log.`,
  );
  if (!isUuid(deliveryId)) throw deliveryNotFound;
  const delivery = await selectDelivery(db, tenantId, endpointId, deliveryId);
  if (!delivery) throw deliveryNotFound;
  const payload = delivery.job_id
    ? ((await selectJobPayload(db, tenantId, delivery.job_id)) as WebhookJobPayload | undefined)
    : undefined;
  if (!payload || payload.endpointId !== endpointId)
    throw new ApiError(
      409,
      "webhook_delivery.event_purged",
      `The event ${delivery.event_id} is no longer kept (finished deliveries are purged after their retention period), so it cannot be sent again.`,
    );
  if (!endpoint.enabled)
    throw new ApiError(
      409,
      "webhook_endpoint.disabled",
      "The endpoint is disabled (its receiver answered 410 Gone): add it again to receive events.",
    );
  await inTransaction(db, async (trx) => {
    await enqueue(trx, "identity", {
      kind: WEBHOOK_JOB_KIND,
      payload,
      tenantId,
      // A resend is a new job: the original's dedupe key already names the first one.
      dedupeKey: `webhook:${endpointId}:${payload.eventId}:resend:${randomUUID()}`,
    });
    await recordAudit(trx, {
      tenantId,
      activity: "Resend webhook delivery",
      category: "Policy",
      actor,
      targets: [{ type: "WebhookEndpoint", id: endpointId, displayName: endpoint.url }],
      additionalDetails: { eventId: payload.eventId, eventType: payload.eventType, deliveryId },
    });
  });
  return { eventId: payload.eventId, eventType: payload.eventType };
}

/**
 * How the delivery worker finds an endpoint (per attempt, so deletion and disabling apply), and
 * what it does on 410 Gone (disables it).
 */
export function webhookEndpointResolver(db: Kysely<IdentityDB>, keyRing: KeyRing) {
  return {
    async resolveEndpoint(
      endpointId: string,
      tenantId: string | null,
    ): Promise<WebhookEndpointTarget | undefined> {
      if (!tenantId || !isUuid(tenantId) || !isUuid(endpointId)) return undefined;
      const [row] = await selectEndpoints(db, tenantId, { id: endpointId });
      if (!row) return undefined;
      const secret = keyRing.decrypt(row.secretEncrypted, secretContext(tenantId, row.id));
      return { url: row.url, secrets: [secret], enabled: row.enabled };
    },
    async onGone(endpointId: string, tenantId: string | null): Promise<void> {
      if (tenantId && isUuid(tenantId) && isUuid(endpointId))
        await disableEndpoint(db, tenantId, endpointId);
    },
  };
}

/**
 * Queues one event to every enabled endpoint of the tenant subscribed to it, through `trx`
 * (inside the transaction of the change it reports). All endpoints share the event id.
 */
export async function emitConsentRequestEvent(
  trx: Kysely<IdentityDB>,
  tenantId: string,
  eventType: ConsentRequestEventType,
  data: unknown,
  now: Date,
): Promise<number> {
  const endpoints = await selectEndpoints(trx, tenantId, { enabledFor: eventType });
  const eventId = `msg_${randomUUID().replaceAll("-", "")}`;
  for (const endpoint of endpoints)
    await enqueueWebhook(trx, "identity", {
      endpointId: endpoint.id,
      eventType,
      data,
      eventId,
      occurredAt: now,
      tenantId,
    });
  return endpoints.length;
}
