import type { Kysely } from "kysely";
import { inTransaction } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import {
  type Application,
  ensureServicePrincipal,
  findApplicationById,
  listExposedScopes,
} from "../apps/index.ts";
import type { IdentityDB } from "../db.ts";
import { isUuid } from "../directory/index.ts";
import { mergeGrant, normaliseGroupIds, uniqueScopes, withoutScopes } from "./grant-arithmetic.ts";
import {
  type ConsentType,
  type DelegatedPermissionGrant,
  deleteGrant,
  type GrantKey,
  insertGrantIfAbsent,
  lockGrantById,
  selectGrantForUpdate,
  selectGrants,
  updateGrantTerms,
} from "./grant-queries.ts";
import { requireTenantRow } from "./settings.ts";

export type { ConsentType, DelegatedPermissionGrant };

export interface NewDelegatedGrant {
  /** Object id of the client application (whose service principal the grant lets act). */
  clientApplicationId: string;
  /** Object id of the resource application the scopes belong to. */
  resourceApplicationId: string;
  /** Scope values on the resource (case-insensitive; stored in the resource's spelling). */
  scopes: readonly string[];
  consentType: ConsentType;
  /** The user, for `Principal`. */
  principalId?: string | undefined;
  /** The groups, for `Groups`. */
  groupIds?: readonly string[] | undefined;
  /** Assent extension: the grant ends then; null or absent: never. */
  expiresAt?: Date | null | undefined;
}

/** A grant as written, with the scopes it held before (null: it did not exist). */
export interface GrantChange {
  grant: DelegatedPermissionGrant;
  previousScopes: string[] | null;
}

function sameTenant(app: Application | undefined, tenantId: string): app is Application {
  return app !== undefined && (app.signInAudience !== "AzureADMyOrg" || app.tenantId === tenantId);
}

async function requireVisibleApplication(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
  what: string,
): Promise<Application> {
  const app = isUuid(id) ? await findApplicationById(db, id) : undefined;
  if (!sameTenant(app, tenantId))
    throw new ApiError(
      404,
      "application.not_found",
      `No ${what} application "${id}" in this tenant.`,
    );
  return app;
}

/** The scopes in the resource's own spelling; fails on one it does not expose (enabled). */
async function canonicalScopes(
  db: Kysely<IdentityDB>,
  resource: Application,
  scopes: readonly string[],
): Promise<string[]> {
  const exposed = (await listExposedScopes(db, resource.id)).filter((s) => s.enabled);
  const result: string[] = [];
  for (const wanted of uniqueScopes(scopes.map((s) => s.trim()))) {
    const scope =
      exposed.find((s) => s.value === wanted) ??
      exposed.find((s) => s.value.toLowerCase() === wanted.toLowerCase());
    if (!scope)
      throw new ApiError(
        400,
        "permission.not_found",
        `${resource.displayName} has no delegated permission "${wanted}".`,
      );
    result.push(scope.value);
  }
  if (result.length === 0)
    throw new ApiError(400, "grant.no_scopes", "Give at least one permission to grant.");
  return result;
}

async function requirePrincipals(
  db: Kysely<IdentityDB>,
  tenantId: string,
  input: NewDelegatedGrant,
): Promise<{ principalId: string | null; groupIds: string[] }> {
  if (input.consentType === "AllPrincipals") return { principalId: null, groupIds: [] };
  if (input.consentType === "Principal") {
    const id = input.principalId?.toLowerCase() ?? "";
    const user = isUuid(id)
      ? await db
          .selectFrom("identity.users")
          .select("id")
          .where("tenant_id", "=", tenantId)
          .where("id", "=", id)
          .executeTakeFirst()
      : undefined;
    if (!user)
      throw new ApiError(404, "user.not_found", `No user "${input.principalId}" in this tenant.`);
    return { principalId: user.id, groupIds: [] };
  }
  const groupIds = normaliseGroupIds(input.groupIds ?? []);
  if (groupIds.length === 0 || !groupIds.every(isUuid))
    throw new ApiError(400, "grant.no_groups", "A Groups grant needs at least one group id.");
  const found = await db
    .selectFrom("identity.groups")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("id", "in", groupIds)
    .execute();
  if (found.length !== groupIds.length)
    throw new ApiError(
      404,
      "group.not_found",
      "A group of the grant does not exist in this tenant.",
    );
  return { principalId: null, groupIds };
}

/**
 * Grants delegated permissions, additively: the scopes join whatever the same client, resource
 * and principal already hold, and expiry only moves later (grant-arithmetic.ts). Creates the
 * client's and the resource's service principals if the tenant has none yet (as consent does in
 * Entra). Writes "Add delegated permission grant" with the scopes before and after, in the
 * caller's transaction or its own.
 *
 * @example
 * await grantDelegatedPermissions(db, tenant.id, { clientApplicationId: crm.id,
 *   resourceApplicationId: MAIL_APPLICATION_ID, scopes: ["Mail.Read"], consentType: "AllPrincipals" }, CLI_ACTOR);
 */
export async function grantDelegatedPermissions(
  db: Kysely<IdentityDB>,
  tenantId: string,
  input: NewDelegatedGrant,
  actor: AuditActor,
  options: { correlationId?: string | undefined; now?: Date } = {},
): Promise<GrantChange> {
  const now = options.now ?? new Date();
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && (Number.isNaN(expiresAt.getTime()) || expiresAt <= now))
    throw new ApiError(
      400,
      "grant.invalid_expiry",
      "The expiry of a grant must lie in the future.",
    );
  return inTransaction(db, async (trx) => {
    await requireTenantRow(trx, tenantId);
    const client = await requireVisibleApplication(
      trx,
      tenantId,
      input.clientApplicationId,
      "client",
    );
    const resource = await requireVisibleApplication(
      trx,
      tenantId,
      input.resourceApplicationId,
      "resource",
    );
    const scopes = await canonicalScopes(trx, resource, input.scopes);
    const principals = await requirePrincipals(trx, tenantId, input);
    const spOptions = {
      actor,
      ...(options.correlationId ? { correlationId: options.correlationId } : {}),
    };
    const clientSp = await ensureServicePrincipal(trx, tenantId, client.id, spOptions);
    const resourceSp = await ensureServicePrincipal(trx, tenantId, resource.id, spOptions);
    const key: GrantKey = {
      tenantId,
      clientServicePrincipalId: clientSp.id,
      resourceApplicationId: resource.id,
      consentType: input.consentType,
      ...principals,
    };
    const insertedId = await insertGrantIfAbsent(trx, key, { scopes, expiresAt, grantedBy: actor });
    let id = insertedId;
    let previousScopes: string[] | null = null;
    let previousExpiry: Date | null = null;
    if (!id) {
      const existing = await selectGrantForUpdate(trx, key);
      if (!existing) throw new Error("delegated permission grant vanished during merge");
      const merged = mergeGrant(existing, { scopes, expiresAt }, now);
      await updateGrantTerms(trx, tenantId, existing.id, { ...merged, grantedBy: actor });
      id = existing.id;
      previousScopes = existing.scopes;
      previousExpiry = existing.expiresAt;
    }
    const [grant] = await selectGrants(trx, tenantId, { id });
    if (!grant) throw new Error("delegated permission grant vanished after write");
    await recordAudit(trx, {
      tenantId,
      activity: "Add delegated permission grant",
      category: "ApplicationManagement",
      actor,
      targets: [
        { type: "ServicePrincipal", id: resourceSp.id, displayName: resource.displayName },
        { type: "ServicePrincipal", id: clientSp.id, displayName: client.displayName },
      ],
      modifiedProperties: [
        {
          name: "DelegatedPermissionGrant.Scope",
          oldValue: previousScopes?.join(" ") ?? null,
          newValue: grant.scopes.join(" "),
        },
        {
          name: "DelegatedPermissionGrant.ConsentType",
          oldValue: null,
          newValue: grant.consentType,
        },
        { name: "DelegatedPermissionGrant.Id", oldValue: null, newValue: grant.id },
        {
          name: "DelegatedPermissionGrant.ExpiryTime",
          oldValue: previousExpiry?.toISOString() ?? null,
          newValue: grant.expiresAt?.toISOString() ?? null,
        },
        { name: "ServicePrincipal.ObjectID", oldValue: null, newValue: clientSp.id },
      ],
      additionalDetails: {
        principalId: grant.principalId,
        groupIds: grant.groupIds,
      },
      ...(options.correlationId ? { correlationId: options.correlationId } : {}),
    });
    return { grant, previousScopes };
  });
}

/**
 * Revokes a delegated permission grant, or only some of its scopes (a grant left with none is
 * deleted). Writes "Remove delegated permission grant" with the scopes before and after.
 * Refresh tokens issued under the grant stop working at their next use (the token endpoint
 * re-checks the grants).
 */
export async function revokeDelegatedPermissionGrant(
  db: Kysely<IdentityDB>,
  tenantId: string,
  grantId: string,
  actor: AuditActor,
  options: { scopes?: readonly string[] | undefined } = {},
): Promise<{ removed: string[]; remaining: string[] }> {
  return inTransaction(db, async (trx) => {
    const locked =
      isUuid(tenantId) && isUuid(grantId) ? await lockGrantById(trx, tenantId, grantId) : undefined;
    const [grant] = locked ? await selectGrants(trx, tenantId, { id: grantId }) : [];
    if (!locked || !grant)
      throw new ApiError(
        404,
        "grant.not_found",
        `No delegated permission grant "${grantId}" in this tenant.`,
      );
    const wanted = options.scopes?.map((s) => s.toLowerCase());
    const removed = wanted
      ? grant.scopes.filter((s) => wanted.includes(s.toLowerCase()))
      : [...grant.scopes];
    if (wanted && removed.length === 0)
      throw new ApiError(
        400,
        "grant.scope_not_granted",
        `The grant does not hold ${options.scopes?.join(", ")}; it holds ${grant.scopes.join(" ")}.`,
      );
    const remaining = withoutScopes(grant.scopes, removed);
    if (remaining.length === 0) await deleteGrant(trx, tenantId, grant.id);
    else await updateGrantTerms(trx, tenantId, grant.id, { scopes: remaining });
    await recordAudit(trx, {
      tenantId,
      activity: "Remove delegated permission grant",
      category: "ApplicationManagement",
      actor,
      targets: [
        {
          type: "Application",
          id: grant.resourceApplicationId,
          displayName: grant.resourceDisplayName,
        },
        {
          type: "ServicePrincipal",
          id: grant.clientServicePrincipalId,
          displayName: grant.clientDisplayName,
        },
      ],
      modifiedProperties: [
        {
          name: "DelegatedPermissionGrant.Scope",
          oldValue: grant.scopes.join(" "),
          newValue: remaining.length > 0 ? remaining.join(" ") : null,
        },
        {
          name: "DelegatedPermissionGrant.ConsentType",
          oldValue: grant.consentType,
          newValue: null,
        },
        { name: "DelegatedPermissionGrant.Id", oldValue: grant.id, newValue: null },
      ],
      additionalDetails: { principalId: grant.principalId, groupIds: grant.groupIds },
    });
    return { removed, remaining };
  });
}

/** The tenant's delegated permission grants, optionally of one client or one user. */
export async function listDelegatedPermissionGrants(
  db: Kysely<IdentityDB>,
  tenantId: string,
  filter: { clientServicePrincipalId?: string; principalId?: string } = {},
): Promise<DelegatedPermissionGrant[]> {
  if (!isUuid(tenantId)) return [];
  if (filter.clientServicePrincipalId && !isUuid(filter.clientServicePrincipalId)) return [];
  if (filter.principalId && !isUuid(filter.principalId)) return [];
  return selectGrants(db, tenantId, filter);
}
