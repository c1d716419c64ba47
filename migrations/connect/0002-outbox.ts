import { type Kysely, sql } from "kysely";
import { outboxTableSql } from "../../src/platform/jobs/outbox-table.ts";
import { webhookDeliveryTableSql } from "../../src/platform/webhooks/delivery-log-table.ts";

/**
 * Connect's outbox (webhooks to applications and email to users, written in the transaction
 * of the change they report) and its webhook delivery log: the platform's frozen version-1 DDL.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(outboxTableSql("connect")).execute(db);
  await sql.raw(webhookDeliveryTableSql("connect")).execute(db);
}
