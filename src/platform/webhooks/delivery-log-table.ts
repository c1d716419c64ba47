import type { ColumnType } from "kysely";
import { assertSchemaName } from "../jobs/schema-name.ts";

/** One row of `<schema>.webhook_deliveries`, for a service that wants typed access. */
export interface WebhookDeliveryTable {
  id: ColumnType<string, string | undefined, never>;
  tenant_id: string | null;
  endpoint_id: string;
  /** The `webhook-id`: the same across the retries of one event to one endpoint. */
  event_id: string;
  event_type: string;
  job_id: string | null;
  /** 1-based attempt number of the outbox job. */
  attempt: number;
  url: string;
  /** The HTTP status; null when no response came (refused, timed out, blocked address). */
  status_code: number | null;
  /** The start of the response body, bounded (RESPONSE_EXCERPT_MAX). */
  response_excerpt: string | null;
  duration_ms: number;
  error: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/**
 * The DDL of the webhook delivery log in `schema`: one row per attempt, success or not.
 *
 * Version 1, frozen once a migration uses it: change the table with a new migration, never here.
 *
 * @example
 * await sql.raw(webhookDeliveryTableSql("identity")).execute(db);
 */
export function webhookDeliveryTableSql(schema: string): string {
  const s = assertSchemaName(schema);
  return `
    create table ${s}.webhook_deliveries (
      id uuid primary key default gen_random_uuid(),
      tenant_id text,
      -- No foreign key: endpoints belong to the domain (per tenant in Identity, per application
      -- in Connect), and the log outlives a deleted endpoint.
      endpoint_id text not null,
      event_id text not null,
      event_type text not null,
      job_id uuid,
      attempt integer not null,
      url text not null,
      status_code integer,
      response_excerpt text,
      duration_ms integer not null,
      error text,
      created_at timestamptz not null default now()
    );
    -- An endpoint's recent deliveries, newest first, within its tenant.
    create index webhook_deliveries_endpoint_idx
      on ${s}.webhook_deliveries (tenant_id, endpoint_id, created_at desc);
    -- Every attempt of one event ("why was this not delivered?").
    create index webhook_deliveries_event_idx on ${s}.webhook_deliveries (event_id);
    -- Retention purges in age order.
    create index webhook_deliveries_created_idx on ${s}.webhook_deliveries (created_at);
  `;
}
