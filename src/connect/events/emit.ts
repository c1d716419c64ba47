import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { enqueueWebhook } from "../../platform/webhooks/index.ts";
import type { ConnectDB } from "../tables.ts";

/** The events an application can subscribe a webhook destination to. */
export const TRIGGER_TYPES = [
  "grant.created",
  "grant.updated",
  "grant.deleted",
  "grant.expired",
  "grant.approval_required",
  "grant.approval_granted",
] as const;

export type TriggerType = (typeof TRIGGER_TYPES)[number];

/**
 * Queues `type` for every active destination of the application subscribed to it, through
 * `trx`: the webhooks commit with the change they report, or not at all. One event id for all
 * destinations (the `webhook-id`), stable across retries. Call `wake()` after the commit.
 *
 * @returns the event id, and how many destinations will receive it.
 */
export async function emitEvent(
  trx: Kysely<ConnectDB>,
  applicationId: string,
  type: TriggerType,
  object: Record<string, unknown>,
): Promise<{ eventId: string; destinations: number }> {
  const destinations = await trx
    .selectFrom("connect.webhook_destinations")
    .select(["id", "trigger_types"])
    .where("application_id", "=", applicationId)
    .where("status", "in", ["active", "failing"])
    .execute();
  const eventId = `evt_${randomUUID().replaceAll("-", "")}`;
  let count = 0;
  for (const destination of destinations) {
    if (!destination.trigger_types.includes(type)) continue;
    await enqueueWebhook(trx, "connect", {
      endpointId: destination.id,
      eventType: type,
      eventId,
      tenantId: applicationId,
      data: { application_id: applicationId, object },
    });
    count++;
  }
  return { eventId, destinations: count };
}
