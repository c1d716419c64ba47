import { type Kysely, sql } from "kysely";
import { outboxTableSql } from "../../src/platform/jobs/outbox-table.ts";
import { webhookDeliveryTableSql } from "../../src/platform/webhooks/delivery-log-table.ts";

/**
 * The identity service's outbox (notifications, webhooks and scheduled work, written in the
 * same transaction as the decision that causes them) and its webhook delivery log. The DDL is
 * the platform's version-1 text for these tables, which is frozen.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(outboxTableSql("identity")).execute(db);
  await sql.raw(webhookDeliveryTableSql("identity")).execute(db);
}
