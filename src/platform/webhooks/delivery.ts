import { randomUUID } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { type EnqueuedJob, enqueue } from "../jobs/enqueue.ts";
import { PermanentJobError, RetryJobError } from "../jobs/errors.ts";
import { tableRef } from "../jobs/schema-name.ts";
import type { JobContext, JobHandler } from "../jobs/worker.ts";
import { createGuardedLookup } from "./guarded-lookup.ts";
import { postWebhook } from "./http-post.ts";
import { signWebhook } from "./signature.ts";
import { type TargetPolicy, webhookTargetProblem } from "./target.ts";

/** The outbox kind of one webhook event to one endpoint. */
export const WEBHOOK_JOB_KIND = "webhook.deliver";

/** 15 s: the low end of the Standard Webhooks recommendation (15–30 s) for receivers to answer. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 15_000;

/** 1 KiB of the receiver's answer is enough to see its error message in the delivery log. */
export const RESPONSE_EXCERPT_MAX = 1024;

// A receiver's Retry-After is honoured up to the backoff cap, not beyond: a hostile or
// confused receiver cannot park a message for a year.
const RETRY_AFTER_CAP_MS = 3_600_000;

/** What the outbox stores for one event to one endpoint. No secret: it is resolved per attempt. */
export interface WebhookJobPayload {
  endpointId: string;
  /** The `webhook-id`: the same on every retry, so receivers can dedupe. */
  eventId: string;
  /** `consent_request.approved`, `grant.created`, ... */
  eventType: string;
  /** When the event happened (ISO 8601), the envelope's `timestamp`. */
  occurredAt: string;
  data: unknown;
}

/** Where and how to deliver, looked up on every attempt (so rotation and disabling apply). */
export interface WebhookEndpointTarget {
  url: string;
  /** Plaintext `whsec_` secrets: the current one first, then any still honoured during rotation. */
  secrets: readonly string[];
  /** false: the endpoint is disabled and the job is dropped. */
  enabled?: boolean;
}

/**
 * Queues one event for one endpoint through `trx`, inside the transaction of the change it
 * reports. Enqueueing the same event for the same endpoint twice adds nothing.
 *
 * @example
 * for (const endpoint of subscribedEndpoints) {
 *   await enqueueWebhook(trx, "identity", { endpointId: endpoint.id, tenantId,
 *     eventType: "consent_request.approved", eventId, data: { id: request.id } });
 * }
 */
export async function enqueueWebhook(
  trx: Kysely<any>,
  schema: string,
  event: {
    endpointId: string;
    eventType: string;
    data: unknown;
    /** Shared by all endpoints receiving the same event; generated when omitted. */
    eventId?: string;
    occurredAt?: Date;
    tenantId?: string;
    maxAttempts?: number;
  },
): Promise<EnqueuedJob & { eventId: string }> {
  const eventId = event.eventId ?? `msg_${randomUUID().replaceAll("-", "")}`;
  const payload: WebhookJobPayload = {
    endpointId: event.endpointId,
    eventId,
    eventType: event.eventType,
    occurredAt: (event.occurredAt ?? new Date()).toISOString(),
    data: event.data ?? null,
  };
  const job = await enqueue(trx, schema, {
    kind: WEBHOOK_JOB_KIND,
    payload,
    dedupeKey: `webhook:${event.endpointId}:${eventId}`,
    ...(event.tenantId !== undefined ? { tenantId: event.tenantId } : {}),
    ...(event.maxAttempts !== undefined ? { maxAttempts: event.maxAttempts } : {}),
  });
  return { ...job, eventId };
}

/** The request body: the Standard Webhooks envelope `{ type, timestamp, data }`, minified. */
export function webhookBody(payload: WebhookJobPayload): string {
  return JSON.stringify({
    type: payload.eventType,
    timestamp: payload.occurredAt,
    data: payload.data,
  });
}

export interface WebhookDeliveryOptions {
  db: Kysely<any>;
  /** The schema holding `webhook_deliveries` (the same as the outbox's). */
  schema: string;
  resolveEndpoint(
    endpointId: string,
    tenantId: string | null,
  ): Promise<WebhookEndpointTarget | undefined>;
  /** Outside production true (loopback receivers allowed); in production false. */
  allowLoopback: boolean;
  timeoutMs?: number;
  /** The receiver answered 410 Gone: it wants no more webhooks; disable the endpoint. */
  onGone?(endpointId: string, tenantId: string | null): Promise<void>;
  userAgent?: string;
  /** Seconds clock for `webhook-timestamp` (tests). */
  nowSeconds?: () => number;
}

interface Attempt {
  url: string;
  status?: number;
  excerpt?: string;
  durationMs: number;
  error?: string;
}

function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const ms = /^\d+$/.test(text.trim()) ? Number(text) * 1000 : Date.parse(text) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), RETRY_AFTER_CAP_MS) : undefined;
}

/**
 * The outbox handler for WEBHOOK_JOB_KIND: signs (Standard Webhooks) and POSTs the event,
 * writes one `webhook_deliveries` row per attempt, and tells the worker what happened — 2xx
 * delivered; 410 Gone dead (and `onGone`); 429/503 with Retry-After retried then; any other
 * answer, a timeout or a network error retried with backoff. A URL the policy forbids is dead
 * at once; a host name that resolves to a forbidden address is refused at connect time.
 */
export function createWebhookDeliveryHandler(
  options: WebhookDeliveryOptions,
): JobHandler<WebhookJobPayload> {
  const { db, schema } = options;
  const policy: TargetPolicy = { allowLoopback: options.allowLoopback };
  const lookup = createGuardedLookup(policy);
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const userAgent = options.userAgent ?? "Assent-Webhooks/1.0";
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));

  async function log(payload: WebhookJobPayload, ctx: JobContext, attempt: Attempt) {
    try {
      await sql`
        insert into ${tableRef(schema, "webhook_deliveries")}
          (tenant_id, endpoint_id, event_id, event_type, job_id, attempt, url, status_code,
           response_excerpt, duration_ms, error)
        values (${ctx.tenantId}, ${payload.endpointId}, ${payload.eventId}, ${payload.eventType},
                ${ctx.jobId}, ${ctx.attempt}, ${attempt.url}, ${attempt.status ?? null},
                ${attempt.excerpt ?? null}, ${Math.round(attempt.durationMs)}, ${attempt.error ?? null})`.execute(
        db,
      );
    } catch (error) {
      // The log is for people; failing to write it must not turn a delivery into a retry.
      ctx.logger.warn(
        { error: (error as Error).message },
        "could not write the webhook delivery log",
      );
    }
  }

  return async (payload, ctx) => {
    const endpoint = await options.resolveEndpoint(payload.endpointId, ctx.tenantId);
    if (!endpoint || endpoint.enabled === false) {
      throw new PermanentJobError(`webhook endpoint ${payload.endpointId} was removed or disabled`);
    }
    const problem = webhookTargetProblem(endpoint.url, policy);
    if (problem) {
      await log(payload, ctx, { url: endpoint.url, durationMs: 0, error: problem });
      throw new PermanentJobError(problem);
    }
    const body = webhookBody(payload);
    const headers = {
      "content-type": "application/json",
      "user-agent": userAgent,
      ...signWebhook({
        id: payload.eventId,
        timestamp: nowSeconds(),
        body,
        secrets: endpoint.secrets,
      }),
    };
    const started = performance.now();
    let result: Awaited<ReturnType<typeof postWebhook>>;
    try {
      result = await postWebhook(endpoint.url, body, headers, {
        timeoutMs,
        lookup,
        excerptBytes: RESPONSE_EXCERPT_MAX,
      });
    } catch (error) {
      const message = (error as Error).message || String(error);
      await log(payload, ctx, {
        url: endpoint.url,
        durationMs: performance.now() - started,
        error: message,
      });
      throw new Error(`webhook delivery failed: ${message}`);
    }
    const { status } = result;
    await log(payload, ctx, {
      url: endpoint.url,
      status,
      excerpt: result.excerpt,
      durationMs: performance.now() - started,
    });
    if (status >= 200 && status < 300) return;
    if (status === 410) {
      await options.onGone?.(payload.endpointId, ctx.tenantId);
      throw new PermanentJobError(
        "the receiver answered 410 Gone: it no longer accepts these webhooks",
      );
    }
    const message = `the receiver answered HTTP ${status}`;
    const delayMs =
      status === 429 || status === 503 ? retryAfterMs(result.headers["retry-after"]) : undefined;
    if (delayMs !== undefined) throw new RetryJobError(message, { delayMs });
    throw new Error(message);
  };
}

/**
 * Deletes delivery-log rows older than `before` (retention).
 *
 * @returns the number of rows deleted.
 */
export async function purgeWebhookDeliveries(
  db: Kysely<any>,
  schema: string,
  before: Date,
): Promise<number> {
  const result =
    await sql`delete from ${tableRef(schema, "webhook_deliveries")} where created_at < ${before.toISOString()}::timestamptz`.execute(
      db,
    );
  return Number(result.numAffectedRows ?? 0n);
}
