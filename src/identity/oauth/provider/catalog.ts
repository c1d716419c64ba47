import type { Kysely } from "kysely";
import { LRUCache } from "lru-cache";
import {
  type Application,
  clientSecretHashes,
  ensureServicePrincipal,
  findApplicationByAppId,
  findServicePrincipal,
  grantedAppRoleValues,
  resolveAppOnlyScope,
  resolveScopes,
  type ScopeResolution,
  type ServicePrincipal,
  type StoredSecretHash,
} from "../../apps/index.ts";
import type { IdentityDB } from "../../db.ts";
import { getUser, type User } from "../../directory/index.ts";
import { type CacheVersions, latest } from "./cache-versions.ts";
import { toClientMetadata } from "./clients.ts";
import { deepFreeze } from "./freeze.ts";

/** An app registration as a client of this tenant, and its oidc-provider metadata. */
export interface CatalogClient {
  application: Application;
  metadata: Record<string, unknown>;
}

// Entries per kind and snapshot: enough for every client and resource a tenant uses at once;
// the bound keeps a flood of made-up client ids or scopes from growing memory.
const MAX_ENTRIES = 1000;
// Longer keys (a scope parameter can be 56 KiB) are loaded every time rather than kept.
const MAX_KEY_LENGTH = 1024;

/** Loads each key once per snapshot; concurrent callers share the load, a failed load is retried. */
class Memo<T> {
  readonly #entries = new LRUCache<string, { value: Promise<T> }>({ max: MAX_ENTRIES });
  get(key: string, load: () => Promise<T>): Promise<T> {
    if (key.length > MAX_KEY_LENGTH) return load().then(deepFreeze);
    const hit = this.#entries.get(key);
    if (hit) return hit.value;
    const entry = { value: load().then(deepFreeze) };
    this.#entries.set(key, entry);
    entry.value.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return entry.value;
  }
}

/** Memos by kind, for the consent decision's inputs (consent-cache.ts routes each kind). */
export class InputMemos {
  readonly #byKind = new Map<string, Memo<unknown>>();

  get<T>(kind: string, key: string, load: () => Promise<T>): Promise<T> {
    let memo = this.#byKind.get(kind);
    if (!memo) {
      memo = new Memo<unknown>();
      this.#byKind.set(kind, memo);
    }
    return memo.get(key, load) as Promise<T>;
  }
}

/**
 * What one tenant's protocol requests read from the app registrations and enterprise apps,
 * loaded on first use and kept for as long as the database's cache versions stay the same.
 * Every value is at least as new as `versions`: a snapshot is created when a request has read
 * those versions, and loads only after that. Values are frozen: they are shared by requests.
 */
export class CatalogSnapshot {
  readonly versions: CacheVersions;
  readonly #db: Kysely<IdentityDB>;
  readonly #tenantId: string;
  readonly #secretPlaceholder: (appId: string) => string;
  readonly #clients = new Memo<CatalogClient | undefined>();
  readonly #secrets = new Memo<StoredSecretHash[]>();
  readonly #scopes = new Memo<ScopeResolution>();
  readonly #servicePrincipals = new Memo<ServicePrincipal>();
  readonly #existingServicePrincipals = new Memo<ServicePrincipal | undefined>();
  readonly #roles = new Memo<string[]>();
  /** Consent inputs read from app registrations, enterprise apps and consent settings. */
  readonly inputs = new InputMemos();

  constructor(
    db: Kysely<IdentityDB>,
    tenantId: string,
    versions: CacheVersions,
    secretPlaceholder: (appId: string) => string,
  ) {
    this.#db = db;
    this.#tenantId = tenantId;
    this.versions = versions;
    this.#secretPlaceholder = secretPlaceholder;
  }

  /**
   * The client a client_id names as seen from this tenant: a multi-tenant app anywhere, a
   * single-tenant app only in its publisher tenant (elsewhere it does not exist: AADSTS700016).
   */
  client(clientId: string): Promise<CatalogClient | undefined> {
    return this.#clients.get(clientId.toLowerCase(), async () => {
      const application = await findApplicationByAppId(this.#db, clientId);
      if (!application) return undefined;
      if (application.signInAudience === "AzureADMyOrg" && application.tenantId !== this.#tenantId)
        return undefined;
      return {
        application,
        metadata: toClientMetadata(application, this.#secretPlaceholder(application.appId)),
      };
    });
  }

  /** The application's client secret hashes and their expiry. */
  secrets(applicationId: string): Promise<readonly StoredSecretHash[]> {
    return this.#secrets.get(applicationId, () => clientSecretHashes(this.#db, applicationId));
  }

  /** Resolution of a delegated scope parameter (`resolveScopes`) for the client. */
  delegatedScopes(clientApplicationId: string, scope: string): Promise<ScopeResolution> {
    return this.#scopes.get(`d ${clientApplicationId} ${scope}`, () =>
      resolveScopes(this.#db, {
        clientApplicationId,
        requested: scope.split(" "),
        tenantId: this.#tenantId,
      }),
    );
  }

  /** Resolution of a client credentials scope parameter (`resolveAppOnlyScope`). */
  appOnlyScopes(scope: string): Promise<ScopeResolution> {
    return this.#scopes.get(`a ${scope}`, () =>
      resolveAppOnlyScope(this.#db, scope.split(" "), { tenantId: this.#tenantId }),
    );
  }

  /**
   * The application's service principal in this tenant, created on first use (the creation
   * bumps the tenant's cache version, so the next request starts a new snapshot anyway).
   */
  servicePrincipal(applicationId: string, correlationId?: string): Promise<ServicePrincipal> {
    return this.#servicePrincipals.get(applicationId, () =>
      ensureServicePrincipal(this.#db, this.#tenantId, applicationId, {
        ...(correlationId ? { correlationId } : {}),
      }),
    );
  }

  /** The application's service principal in this tenant if it has one; never creates it. */
  existingServicePrincipal(applicationId: string): Promise<ServicePrincipal | undefined> {
    return this.#existingServicePrincipals.get(applicationId, () =>
      findServicePrincipal(this.#db, this.#tenantId, applicationId),
    );
  }

  /** The application permissions granted to a client service principal on a resource. */
  grantedRoles(servicePrincipalId: string, resourceApplicationId: string): Promise<string[]> {
    return this.#roles.get(`${servicePrincipalId} ${resourceApplicationId}`, () =>
      grantedAppRoleValues(this.#db, this.#tenantId, servicePrincipalId, resourceApplicationId),
    );
  }
}

/** The tenant's users, as its protocol requests read them (findAccount, token claims). */
export class UserSnapshot {
  readonly version: number;
  readonly #db: Kysely<IdentityDB>;
  readonly #tenantId: string;
  readonly #users = new Memo<User | undefined>();
  /** Consent inputs read from the directory: group memberships and directory roles. */
  readonly inputs = new InputMemos();

  constructor(db: Kysely<IdentityDB>, tenantId: string, version: number) {
    this.#db = db;
    this.#tenantId = tenantId;
    this.version = version;
  }

  user(id: string): Promise<User | undefined> {
    return this.#users.get(id, () => getUser(this.#db, this.#tenantId, id));
  }
}

/** The tenant's delegated permission grants, as the consent decision reads them. */
export class GrantSnapshot {
  readonly version: number;
  readonly inputs = new InputMemos();

  constructor(version: number) {
    this.version = version;
  }
}

/**
 * A tenant's catalog on this node: snapshots of its app registrations and enterprise apps
 * (`apps`), of its users (`users`) and of its delegated permission grants (`grants`) at the
 * newest cache versions any request has read. A request reads the versions (with its tenant,
 * in lookupTenant) before it uses the catalog, and `advance` moves to a fresh snapshot when
 * they are newer, so a change committed before a request arrived is never hidden from it, on
 * any node. Using a snapshot newer than the versions a request read is harmless; an older one
 * is never used. The consent decision's inputs live in the snapshot whose version their tables
 * bump (consent-cache.ts).
 */
export class TenantCatalog {
  readonly #makeApps: (versions: CacheVersions) => CatalogSnapshot;
  readonly #makeUsers: (version: number) => UserSnapshot;
  #apps: CatalogSnapshot;
  #users: UserSnapshot;
  #grants: GrantSnapshot;

  constructor(
    db: Kysely<IdentityDB>,
    tenantId: string,
    versions: CacheVersions,
    secretPlaceholder: (appId: string) => string,
  ) {
    this.#makeApps = (v) => new CatalogSnapshot(db, tenantId, v, secretPlaceholder);
    this.#makeUsers = (v) => new UserSnapshot(db, tenantId, v);
    this.#apps = this.#makeApps(versions);
    this.#users = this.#makeUsers(versions.users);
    this.#grants = new GrantSnapshot(versions.grants);
  }

  /** Moves to fresh snapshots where `versions` (just read from the database) are newer. */
  advance(versions: CacheVersions): void {
    const apps = this.#apps.versions;
    if (versions.tenant > apps.tenant || versions.catalog > apps.catalog)
      this.#apps = this.#makeApps(latest(versions, apps));
    if (versions.users > this.#users.version) this.#users = this.#makeUsers(versions.users);
    if (versions.grants > this.#grants.version) this.#grants = new GrantSnapshot(versions.grants);
  }

  /** App registrations, secrets, scopes, service principals and app role grants. */
  get apps(): CatalogSnapshot {
    return this.#apps;
  }

  get users(): UserSnapshot {
    return this.#users;
  }

  get grants(): GrantSnapshot {
    return this.#grants;
  }
}
