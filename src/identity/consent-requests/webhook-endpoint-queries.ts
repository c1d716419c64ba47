import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";

/** Queries of the tenant's webhook endpoints and their delivery log: SQL only. */

export interface EndpointRow {
  id: string;
  tenantId: string;
  url: string;
  description: string | null;
  secretEncrypted: string;
  eventTypes: string[];
  enabled: boolean;
  createdAt: Date;
}

const COLUMNS = [
  "id",
  "tenant_id",
  "url",
  "description",
  "secret_encrypted",
  "event_types",
  "enabled",
  "created_at",
] as const;

type Raw = {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  secret_encrypted: string;
  event_types: string[];
  enabled: boolean;
  created_at: Date;
};

function toRow(r: Raw): EndpointRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    url: r.url,
    description: r.description,
    secretEncrypted: r.secret_encrypted,
    eventTypes: r.event_types,
    enabled: r.enabled,
    createdAt: r.created_at,
  };
}

export async function insertEndpoint(
  trx: Kysely<IdentityDB>,
  values: {
    id: string;
    tenantId: string;
    url: string;
    description: string | null;
    secretEncrypted: string;
    eventTypes: string[];
  },
): Promise<EndpointRow> {
  const row = await trx
    .insertInto("identity.webhook_endpoints")
    .values({
      id: values.id,
      tenant_id: values.tenantId,
      url: values.url,
      description: values.description,
      secret_encrypted: values.secretEncrypted,
      event_types: JSON.stringify(values.eventTypes),
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return toRow(row);
}

export async function selectEndpoints(
  db: Kysely<IdentityDB>,
  tenantId: string,
  options: { id?: string; enabledFor?: string } = {},
): Promise<EndpointRow[]> {
  let query = db
    .selectFrom("identity.webhook_endpoints")
    .select(COLUMNS)
    .where("tenant_id", "=", tenantId)
    .orderBy("created_at")
    .orderBy("id");
  if (options.id) query = query.where("id", "=", options.id);
  if (options.enabledFor)
    query = query
      .where("enabled", "=", true)
      .where(sql<boolean>`event_types @> ${JSON.stringify([options.enabledFor])}::jsonb`);
  return (await query.execute()).map(toRow);
}

export async function deleteEndpoint(
  trx: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<EndpointRow | undefined> {
  const row = await trx
    .deleteFrom("identity.webhook_endpoints")
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .returning(COLUMNS)
    .executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export async function disableEndpoint(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<void> {
  await db
    .updateTable("identity.webhook_endpoints")
    .set({ enabled: false, updated_at: new Date() })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id)
    .execute();
}

/** The newest delivery attempts to one endpoint. */
export async function selectDeliveries(
  db: Kysely<IdentityDB>,
  tenantId: string,
  endpointId: string,
  limit: number,
) {
  return db
    .selectFrom("identity.webhook_deliveries")
    .select([
      "id",
      "event_id",
      "event_type",
      "attempt",
      "url",
      "status_code",
      "response_excerpt",
      "duration_ms",
      "error",
      "created_at",
    ])
    .where("tenant_id", "=", tenantId)
    .where("endpoint_id", "=", endpointId)
    .orderBy("created_at", "desc")
    .orderBy("attempt", "desc")
    .limit(limit)
    .execute();
}

/** One delivery attempt of the tenant's endpoint, with the outbox job that made it. */
export async function selectDelivery(
  db: Kysely<IdentityDB>,
  tenantId: string,
  endpointId: string,
  deliveryId: string,
) {
  return db
    .selectFrom("identity.webhook_deliveries")
    .select(["id", "event_id", "event_type", "job_id"])
    .where("tenant_id", "=", tenantId)
    .where("endpoint_id", "=", endpointId)
    .where("id", "=", deliveryId)
    .executeTakeFirst();
}

/**
 * The stored event of an outbox job of the tenant (undefined once retention purged the job).
 * The outbox is read with SQL: it is the platform's table, not a typed part of IdentityDB.
 */
export async function selectJobPayload(
  db: Kysely<IdentityDB>,
  tenantId: string,
  jobId: string,
): Promise<unknown> {
  const result = await sql<{ payload: unknown }>`
    select payload from identity.outbox where id = ${jobId} and tenant_id = ${tenantId}`.execute(
    db,
  );
  return result.rows[0]?.payload;
}
