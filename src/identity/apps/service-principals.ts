import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, type ModifiedProperty, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { selectApplicationById } from "./application-queries.ts";
import { isUuid } from "./names.ts";
import {
  insertServicePrincipalIfAbsent,
  type ServicePrincipalPatch,
  selectServicePrincipal,
  selectServicePrincipals,
  updateServicePrincipal as updateServicePrincipalRow,
} from "./service-principal-queries.ts";
import type { ServicePrincipal, ServicePrincipalListing } from "./types.ts";

/** The actor of service principals created on first use (a sign-in, a consent). */
export const IDENTITY_SYSTEM_ACTOR: AuditActor = { type: "system", name: "assent-identity" };

/**
 * The application's service principal in the tenant, created on first use as Entra does when a
 * tenant first signs in to or consents to an app. Race-safe: concurrent callers insert with
 * `on conflict do nothing` and then read, so exactly one row (and one "Add service principal"
 * audit event) results.
 *
 * @example
 * const sp = await ensureServicePrincipal(db, tenant.id, MAIL_APPLICATION_ID);
 */
export async function ensureServicePrincipal(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  options: { actor?: AuditActor; correlationId?: string } = {},
): Promise<ServicePrincipal> {
  if (!isUuid(tenantId)) throw new ApiError(404, "tenant.not_found", `No tenant "${tenantId}".`);
  if (!isUuid(applicationId))
    throw new ApiError(404, "application.not_found", `No application "${applicationId}".`);
  const existing = await selectServicePrincipal(db, tenantId, applicationId);
  if (existing) return existing;
  return inTransaction(db, async (trx) => {
    const application = await selectApplicationById(trx, applicationId);
    if (!application)
      throw new ApiError(404, "application.not_found", `No application "${applicationId}".`);
    const tenant = await trx
      .selectFrom("identity.tenants")
      .select("id")
      .where("id", "=", tenantId)
      .executeTakeFirst();
    if (!tenant) throw new ApiError(404, "tenant.not_found", `No tenant "${tenantId}".`);
    const createdId = await insertServicePrincipalIfAbsent(trx, tenantId, applicationId);
    if (createdId) {
      await recordAudit(trx, {
        tenantId,
        activity: "Add service principal",
        category: "ApplicationManagement",
        actor: options.actor ?? IDENTITY_SYSTEM_ACTOR,
        targets: [
          { type: "ServicePrincipal", id: createdId, displayName: application.displayName },
        ],
        additionalDetails: { appId: application.appId },
        ...(options.correlationId ? { correlationId: options.correlationId } : {}),
      });
    }
    const sp = await selectServicePrincipal(trx, tenantId, applicationId);
    if (!sp) throw new Error("service principal vanished after insert");
    return sp;
  });
}

/** The application's service principal in the tenant, if the tenant has one. */
export async function findServicePrincipal(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
): Promise<ServicePrincipal | undefined> {
  if (!isUuid(tenantId) || !isUuid(applicationId)) return undefined;
  return selectServicePrincipal(db, tenantId, applicationId);
}

/** The tenant's enterprise apps: its own registrations' and third parties' service principals. */
export async function listServicePrincipals(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<ServicePrincipalListing[]> {
  return isUuid(tenantId) ? selectServicePrincipals(db, tenantId) : [];
}

export type { ServicePrincipalPatch };

// Entra caps service principal notes at 1,024 characters.
const MAX_NOTES = 1024;

/**
 * Changes an enterprise app's properties ("Enabled for users to sign in?", "Assignment
 * required?", "Visible to users?", notes), creating its service principal first if the tenant
 * has none (Entra admins pre-create one to disable an app before anyone consents).
 */
export async function updateServicePrincipal(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
  patch: ServicePrincipalPatch,
  actor: AuditActor,
): Promise<ServicePrincipal> {
  const notes =
    patch.notes === undefined || patch.notes === null ? patch.notes : patch.notes.trim();
  if (typeof notes === "string" && notes.length > MAX_NOTES)
    throw new ApiError(
      400,
      "service_principal.invalid_notes",
      `Notes must be at most ${MAX_NOTES} characters long.`,
    );
  const clean: ServicePrincipalPatch = { ...patch, notes: notes === "" ? null : notes };
  return inTransaction(db, async (trx) => {
    const before = await ensureServicePrincipal(trx, tenantId, applicationId, { actor });
    await updateServicePrincipalRow(trx, tenantId, before.id, clean);
    const after = await selectServicePrincipal(trx, tenantId, applicationId);
    if (!after) throw new Error("service principal vanished during update");
    const changes: ModifiedProperty[] = [];
    const compare = (name: string, oldValue: unknown, newValue: unknown) => {
      if (oldValue !== newValue) changes.push({ name, oldValue, newValue });
    };
    compare("AccountEnabled", before.accountEnabled, after.accountEnabled);
    compare(
      "AppRoleAssignmentRequired",
      before.appRoleAssignmentRequired,
      after.appRoleAssignmentRequired,
    );
    compare("VisibleToUsers", before.visibleToUsers, after.visibleToUsers);
    compare("Notes", before.notes, after.notes);
    if (changes.length > 0) {
      const application = await selectApplicationById(trx, applicationId);
      await recordAudit(trx, {
        tenantId,
        activity: "Update service principal",
        category: "ApplicationManagement",
        actor,
        targets: [
          {
            type: "ServicePrincipal",
            id: after.id,
            ...(application ? { displayName: application.displayName } : {}),
          },
        ],
        modifiedProperties: changes,
      });
    }
    return after;
  });
}
