import type { Kysely } from "kysely";
import { sql } from "kysely";
import type { KeyRing } from "../../platform/crypto/index.ts";
import { isUuid } from "../../platform/ids.ts";
import {
  generateWebhookSecret,
  type WebhookEndpointTarget,
} from "../../platform/webhooks/index.ts";
import type { ConnectDB, WebhookDestinationsTable } from "../tables.ts";

export type Destination = {
  [K in keyof WebhookDestinationsTable]: WebhookDestinationsTable[K] extends { __select__: infer S }
    ? S
    : WebhookDestinationsTable[K];
};

/** A destination's secret is bound to its row. */
export const destinationSecretContext = (d: { id: string; application_id: string }) =>
  `connect.webhook:${d.application_id}:${d.id}`;

/** A destination as Nylas v3 shows one; the secret only when just created or rotated. */
export function destinationView(d: Destination, secret?: string) {
  return {
    id: d.id,
    description: d.description ?? undefined,
    trigger_types: d.trigger_types,
    webhook_url: d.url,
    status: d.status,
    notification_email_addresses: d.notification_email_addresses,
    status_updated_at: Math.floor(d.updated_at.getTime() / 1000),
    created_at: Math.floor(d.created_at.getTime() / 1000),
    updated_at: Math.floor(d.updated_at.getTime() / 1000),
    ...(secret ? { webhook_secret: secret } : {}),
  };
}

export async function insertDestination(
  db: Kysely<ConnectDB>,
  keyRing: KeyRing,
  d: {
    applicationId: string;
    url: string;
    description?: string | undefined;
    triggerTypes: string[];
    emails: string[];
  },
): Promise<{ destination: Destination; secret: string }> {
  const secret = generateWebhookSecret();
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("connect.webhook_destinations")
      .values({
        application_id: d.applicationId,
        url: d.url,
        description: d.description ?? null,
        trigger_types: JSON.stringify(d.triggerTypes),
        secret_enc: "pending",
        notification_email_addresses: JSON.stringify(d.emails),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const destination = await trx
      .updateTable("connect.webhook_destinations")
      .set({ secret_enc: keyRing.encrypt(secret, destinationSecretContext(row)) })
      .where("id", "=", row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { destination, secret };
  });
}

export async function findDestination(db: Kysely<ConnectDB>, applicationId: string, id: string) {
  if (!isUuid(id)) return undefined;
  return db
    .selectFrom("connect.webhook_destinations")
    .selectAll()
    .where("application_id", "=", applicationId)
    .where("id", "=", id)
    .executeTakeFirst();
}

export function listDestinations(db: Kysely<ConnectDB>, applicationId: string) {
  return db
    .selectFrom("connect.webhook_destinations")
    .selectAll()
    .where("application_id", "=", applicationId)
    .orderBy("created_at")
    .execute();
}

export async function updateDestination(
  db: Kysely<ConnectDB>,
  applicationId: string,
  id: string,
  changes: {
    url?: string | undefined;
    description?: string | undefined;
    triggerTypes?: string[] | undefined;
    status?: "active" | "pause" | undefined;
    emails?: string[] | undefined;
  },
) {
  return db
    .updateTable("connect.webhook_destinations")
    .set({
      ...(changes.url ? { url: changes.url } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      ...(changes.triggerTypes ? { trigger_types: JSON.stringify(changes.triggerTypes) } : {}),
      ...(changes.status ? { status: changes.status } : {}),
      ...(changes.emails ? { notification_email_addresses: JSON.stringify(changes.emails) } : {}),
      updated_at: new Date(),
    })
    .where("application_id", "=", applicationId)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

export async function rotateDestinationSecret(
  db: Kysely<ConnectDB>,
  keyRing: KeyRing,
  d: Destination,
) {
  const secret = generateWebhookSecret();
  const row = await db
    .updateTable("connect.webhook_destinations")
    .set({
      secret_enc: keyRing.encrypt(secret, destinationSecretContext(d)),
      updated_at: new Date(),
    })
    .where("id", "=", d.id)
    .where("application_id", "=", d.application_id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { destination: row, secret };
}

export async function deleteDestination(db: Kysely<ConnectDB>, applicationId: string, id: string) {
  // Not an id at all: nothing to delete (the uuid column would refuse the comparison).
  if (!isUuid(id)) return false;
  const result = await db
    .deleteFrom("connect.webhook_destinations")
    .where("application_id", "=", applicationId)
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Where the outbox delivers a destination's events (looked up per attempt: rotation applies). */
export async function resolveDestination(
  db: Kysely<ConnectDB>,
  keyRing: KeyRing,
  id: string,
  applicationId: string | null,
): Promise<WebhookEndpointTarget | undefined> {
  if (!applicationId) return undefined;
  const d = await findDestination(db, applicationId, id);
  if (!d) return undefined;
  return {
    url: d.url,
    secrets: [keyRing.decrypt(d.secret_enc, destinationSecretContext(d))],
    enabled: d.status !== "pause" && d.status !== "failed",
  };
}

/** One destination's delivery log, newest first. */
export function listDeliveries(
  db: Kysely<ConnectDB>,
  applicationId: string,
  id: string,
  limit: number,
) {
  return db
    .selectFrom("connect.webhook_deliveries")
    .selectAll()
    .where("tenant_id", "=", applicationId)
    .where("endpoint_id", "=", id)
    .orderBy("created_at", "desc")
    .limit(limit)
    .execute();
}

/**
 * Manual redelivery: the event's outbox job runs again from the start (same `webhook-id`, so a
 * receiver that did get it can dedupe). Returns false when no such event was sent there.
 */
export async function redeliver(
  db: Kysely<ConnectDB>,
  applicationId: string,
  id: string,
  eventId: string,
) {
  const result = await db
    .updateTable("connect.outbox")
    .set({
      run_at: sql`now()`,
      attempts: 0,
      completed_at: null,
      dead_at: null,
      locked_until: null,
      locked_by: null,
      last_error: null,
    })
    .where("dedupe_key", "=", `webhook:${id}:${eventId}`)
    .where("tenant_id", "=", applicationId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
