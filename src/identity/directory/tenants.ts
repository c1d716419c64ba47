import type { Kysely } from "kysely";
import { inTransaction, isUniqueViolation } from "../../platform/db/index.ts";
import { ApiError } from "../../platform/http/errors.ts";
import { type AuditActor, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import {
  isDomainName,
  isUuid,
  normaliseDisplayName,
  normaliseDomain,
  normaliseSlug,
} from "./names.ts";
import {
  insertDomainIfFree,
  insertTenant,
  selectDomainOwner,
  selectDomains,
  selectTenantByDomain,
  selectTenantById,
  selectTenantBySlug,
  selectTenants,
} from "./tenant-queries.ts";
import type { Tenant, TenantCreatedHook, TenantDomain } from "./types.ts";

/**
 * Creates a tenant, its "Add tenant" audit event, and whatever the hooks add (signing keys), in
 * one transaction: a failing hook leaves no tenant behind.
 */
export async function createTenant(
  db: Kysely<IdentityDB>,
  input: { slug: string; displayName: string },
  actor: AuditActor,
  hooks: readonly TenantCreatedHook[] = [],
): Promise<Tenant> {
  const slug = normaliseSlug(input.slug);
  const displayName = normaliseDisplayName(input.displayName, "tenant.invalid_name", "tenant name");
  try {
    return await inTransaction(db, async (trx) => {
      const tenant = await insertTenant(trx, { slug, displayName });
      await recordAudit(trx, {
        tenantId: tenant.id,
        activity: "Add tenant",
        category: "DirectoryManagement",
        actor,
        targets: [{ type: "Tenant", id: tenant.id, displayName }],
        modifiedProperties: [{ name: "Slug", oldValue: null, newValue: slug }],
      });
      for (const hook of hooks) await hook(trx, tenant);
      return tenant;
    });
  } catch (error) {
    if (isUniqueViolation(error, "tenants_slug_key"))
      throw new ApiError(
        409,
        "tenant.duplicate_slug",
        `A tenant with the slug "${slug}" already exists. Choose another slug.`,
      );
    throw error;
  }
}

export function listTenants(db: Kysely<IdentityDB>): Promise<Tenant[]> {
  return selectTenants(db);
}

/** The tenant with this id; undefined for an unknown or malformed id. */
export async function getTenant(db: Kysely<IdentityDB>, id: string): Promise<Tenant | undefined> {
  return isUuid(id) ? selectTenantById(db, id) : undefined;
}

/**
 * The tenant a reference names: its id, its slug, or one of its verified domains (any case).
 * Undefined when nothing matches; never throws on malformed input, because references come
 * from URLs and command lines. Slugs have no dots and domains always do, so a reference
 * matches at most one way.
 *
 * @example
 * await resolveTenant(db, "contoso");          // by slug
 * await resolveTenant(db, "Contoso.COM");      // by verified domain
 * await resolveTenant(db, "8d3f…-…");          // by id
 */
export async function resolveTenant(
  db: Kysely<IdentityDB>,
  ref: string,
): Promise<Tenant | undefined> {
  const value = ref.trim().toLowerCase();
  if (isUuid(value)) return selectTenantById(db, value);
  if (value.includes(".")) return isDomainName(value) ? selectTenantByDomain(db, value) : undefined;
  return selectTenantBySlug(db, value);
}

/** Like resolveTenant, but a miss is a 404 ApiError that tells what references work. */
export async function requireTenant(db: Kysely<IdentityDB>, ref: string): Promise<Tenant> {
  const tenant = await resolveTenant(db, ref);
  if (!tenant)
    throw new ApiError(
      404,
      "tenant.not_found",
      `No tenant "${ref}": give a tenant's id, slug or one of its verified domains.`,
    );
  return tenant;
}

/**
 * Adds a verified domain. A domain belongs to one tenant: claiming one that another tenant holds
 * fails without saying which tenant (that would leak across tenants).
 */
export async function addDomain(
  db: Kysely<IdentityDB>,
  tenantId: string,
  domainInput: string,
  actor: AuditActor,
): Promise<TenantDomain> {
  const domain = normaliseDomain(domainInput);
  return inTransaction(db, async (trx) => {
    const tenant = isUuid(tenantId) ? await selectTenantById(trx, tenantId) : undefined;
    if (!tenant) throw new ApiError(404, "tenant.not_found", `No tenant with id "${tenantId}".`);
    const added = await insertDomainIfFree(trx, tenant.id, domain);
    if (!added) {
      const owner = await selectDomainOwner(trx, domain);
      throw owner === tenant.id
        ? new ApiError(
            409,
            "domain.already_verified",
            `The domain "${domain}" is already a verified domain of this tenant.`,
          )
        : new ApiError(
            409,
            "domain.owned_by_another_tenant",
            `The domain "${domain}" belongs to another tenant: a domain can be verified by one tenant only. Remove it there first.`,
          );
    }
    await recordAudit(trx, {
      tenantId: tenant.id,
      activity: "Add verified domain",
      category: "DirectoryManagement",
      actor,
      targets: [{ type: "Domain", id: domain, displayName: domain }],
    });
    return added;
  });
}

export async function listDomains(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<TenantDomain[]> {
  return isUuid(tenantId) ? selectDomains(db, tenantId) : [];
}
