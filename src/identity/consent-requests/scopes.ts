import type { Kysely } from "kysely";
import { ApiError } from "../../platform/http/errors.ts";
import {
  type Application,
  type ExposedScope,
  findApplicationById,
  listExposedScopes,
} from "../apps/index.ts";
import type { IdentityDB } from "../db.ts";
import type { StoredResourceScopes } from "./tables.ts";

/**
 * Scope arithmetic of requests: asks are validated against what each resource exposes (stored
 * in the resource's own spelling) and merged per resource, so static and dynamic asks of one app
 * become one request (Entra shows two).
 */

/** The application if the tenant may see it (its own, or a multi-tenant one). */
export async function visibleApplication(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<Application | undefined> {
  const app = await findApplicationById(db, id);
  if (!app) return undefined;
  return app.signInAudience === "AzureADMultipleOrgs" || app.tenantId === tenantId
    ? app
    : undefined;
}

/** Union per resource, keeping first-seen order; resources with no scopes are dropped. */
export function mergeResourceScopes(
  ...lists: ReadonlyArray<readonly StoredResourceScopes[]>
): StoredResourceScopes[] {
  const merged = new Map<string, string[]>();
  for (const list of lists)
    for (const part of list) {
      const scopes = merged.get(part.resourceApplicationId) ?? [];
      for (const s of part.scopes) if (!scopes.includes(s)) scopes.push(s);
      merged.set(part.resourceApplicationId, scopes);
    }
  return [...merged.entries()]
    .filter(([, scopes]) => scopes.length > 0)
    .map(([resourceApplicationId, scopes]) => ({ resourceApplicationId, scopes }));
}

/** A resource with its enabled delegated permissions. */
export interface ResourceCatalog {
  application: Application;
  exposed: ExposedScope[];
}

/** Loads each resource once. Unknown resources fail with 400 consent_request.unknown_resource. */
export async function loadResources(
  db: Kysely<IdentityDB>,
  tenantId: string,
  resourceIds: readonly string[],
): Promise<Map<string, ResourceCatalog>> {
  const catalog = new Map<string, ResourceCatalog>();
  for (const raw of resourceIds) {
    const id = raw.toLowerCase();
    if (catalog.has(id)) continue;
    const application = await visibleApplication(db, tenantId, id);
    if (!application)
      throw new ApiError(
        400,
        "consent_request.unknown_resource",
        `No resource application "${raw}" in this tenant.`,
      );
    const exposed = (await listExposedScopes(db, application.id)).filter((s) => s.enabled);
    catalog.set(id, { application, exposed });
  }
  return catalog;
}

/**
 * The asks in canonical form: each scope must be an enabled delegated permission of its
 * resource (case-insensitive, stored in the resource's spelling), else 400
 * consent_request.unknown_scope; nothing at all is 400 consent_request.no_scopes.
 */
export async function canonicalAsk(
  db: Kysely<IdentityDB>,
  tenantId: string,
  asked: ReadonlyArray<{ resourceApplicationId: string; scopes: readonly string[] }>,
): Promise<StoredResourceScopes[]> {
  const catalog = await loadResources(
    db,
    tenantId,
    asked.map((a) => a.resourceApplicationId),
  );
  const parts: StoredResourceScopes[] = [];
  for (const a of asked) {
    const resource = catalog.get(a.resourceApplicationId.toLowerCase());
    if (!resource) continue;
    const scopes: string[] = [];
    for (const wanted of a.scopes.map((s) => s.trim()).filter(Boolean)) {
      const scope =
        resource.exposed.find((s) => s.value === wanted) ??
        resource.exposed.find((s) => s.value.toLowerCase() === wanted.toLowerCase());
      if (!scope)
        throw new ApiError(
          400,
          "consent_request.unknown_scope",
          `${resource.application.displayName} has no delegated permission "${wanted}".`,
        );
      scopes.push(scope.value);
    }
    parts.push({ resourceApplicationId: resource.application.id, scopes });
  }
  const merged = mergeResourceScopes(parts);
  if (merged.length === 0)
    throw new ApiError(
      400,
      "consent_request.no_scopes",
      "A consent request names at least one permission.",
    );
  return merged;
}

/** The scopes of `part` that `whole` lacks, per resource (empty: `part` is within `whole`). */
export function scopesOutside(
  part: readonly StoredResourceScopes[],
  whole: readonly StoredResourceScopes[],
): StoredResourceScopes[] {
  return part
    .map((p) => {
      const have = whole.find((w) => w.resourceApplicationId === p.resourceApplicationId);
      return {
        resourceApplicationId: p.resourceApplicationId,
        scopes: p.scopes.filter((s) => !have?.scopes.includes(s)),
      };
    })
    .filter((p) => p.scopes.length > 0);
}
