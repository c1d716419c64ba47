import type { Kysely } from "kysely";
import { type AuditActor, type ModifiedProperty, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";

/**
 * Writes Entra's "Update application" audit event (ApplicationManagement) for an app
 * registration: who changed it, and each property's old and new value.
 *
 * @example
 * await recordApplicationUpdate(trx, tenantId, actor, app, [
 *   { name: "RedirectUris", oldValue: before.redirectUris, newValue: after.redirectUris },
 * ]);
 */
export function recordApplicationUpdate(
  trx: Kysely<IdentityDB>,
  tenantId: string,
  actor: AuditActor,
  application: { id: string; displayName: string },
  modifiedProperties: ModifiedProperty[],
): Promise<void> {
  return recordAudit(trx, {
    tenantId,
    activity: "Update application",
    category: "ApplicationManagement",
    actor,
    targets: [{ type: "Application", id: application.id, displayName: application.displayName }],
    modifiedProperties,
  });
}
