import type { Kysely } from "kysely";
import type { AuditActor } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { type AuthenticationResult, authenticate } from "./authenticate.ts";
import {
  addGroupMember,
  createGroup,
  getGroup,
  groupIdsOfUser,
  listGroupMembers,
  listGroups,
  type NewGroup,
  removeGroupMember,
  requireGroup,
} from "./groups.ts";
import {
  assignDirectoryRole,
  listRoleAssignments,
  rolesOfUser,
  unassignDirectoryRole,
} from "./role-assignments.ts";
import type { DirectoryRole } from "./roles.ts";
import {
  addDomain,
  createTenant,
  getTenant,
  listDomains,
  listTenants,
  requireTenant,
  resolveTenant,
} from "./tenants.ts";
import type {
  DirectoryRoleAssignment,
  Group,
  GroupMember,
  Tenant,
  TenantCreatedHook,
  TenantDomain,
  User,
} from "./types.ts";
import {
  createUser,
  disableUser,
  enableUser,
  findUserByUpn,
  getUser,
  listUsers,
  type NewUser,
  requireUser,
  setUserPassword,
} from "./users.ts";

export interface DirectoryOptions {
  /**
   * The identity database: a `Database<IdentityDB>`, or `{ db: trx }` to run every change
   * inside a transaction the caller already holds (it then commits or rolls back with it).
   */
  database: { readonly db: Kysely<IdentityDB> };
  /**
   * Run, in order, inside the transaction that creates a tenant, after its row and its
   * "Add tenant" audit event are written. A hook that throws rolls the tenant back.
   * Signing-key generation registers here (in src/identity/app.ts and in the CLI's
   * src/cli/commands/directory-shared.ts).
   */
  onTenantCreated?: readonly TenantCreatedHook[];
}

/**
 * The directory bound to one database: tenants, verified domains, users, groups, directory
 * roles. Every change writes its audit event (actor given by the caller) in the same
 * transaction; every read filters on the tenant. Errors are ApiErrors with codes such as
 * `tenant.duplicate_slug`, `domain.owned_by_another_tenant`, `user.duplicate_upn`,
 * `user.weak_password`, `group.not_found`, `role.already_assigned`.
 */
export interface Directory {
  readonly tenants: {
    create(input: { slug: string; displayName: string }, actor: AuditActor): Promise<Tenant>;
    list(): Promise<Tenant[]>;
    get(id: string): Promise<Tenant | undefined>;
    /** By id, slug or verified domain (any case); undefined when nothing matches. */
    resolve(ref: string): Promise<Tenant | undefined>;
    /** Like resolve; a miss is a 404 `tenant.not_found`. */
    require(ref: string): Promise<Tenant>;
    addDomain(tenantId: string, domain: string, actor: AuditActor): Promise<TenantDomain>;
    listDomains(tenantId: string): Promise<TenantDomain[]>;
  };
  readonly users: {
    create(tenantId: string, input: NewUser, actor: AuditActor): Promise<User>;
    list(tenantId: string): Promise<User[]>;
    get(tenantId: string, id: string): Promise<User | undefined>;
    findByUpn(tenantId: string, upn: string): Promise<User | undefined>;
    /** By id or user principal name; a miss is a 404 `user.not_found`. */
    require(tenantId: string, ref: string): Promise<User>;
    disable(tenantId: string, userId: string, actor: AuditActor): Promise<User>;
    enable(tenantId: string, userId: string, actor: AuditActor): Promise<User>;
    setPassword(
      tenantId: string,
      userId: string,
      password: string,
      actor: AuditActor,
    ): Promise<User>;
    authenticate(tenantId: string, upn: string, password: string): Promise<AuthenticationResult>;
  };
  readonly groups: {
    create(tenantId: string, input: NewGroup, actor: AuditActor): Promise<Group>;
    list(tenantId: string): Promise<Group[]>;
    get(tenantId: string, id: string): Promise<Group | undefined>;
    /** By id or exact name; a miss is a 404 `group.not_found`. */
    require(tenantId: string, ref: string): Promise<Group>;
    addMember(tenantId: string, groupId: string, userId: string, actor: AuditActor): Promise<void>;
    removeMember(
      tenantId: string,
      groupId: string,
      userId: string,
      actor: AuditActor,
    ): Promise<void>;
    members(tenantId: string, groupId: string): Promise<GroupMember[]>;
    groupIdsOfUser(tenantId: string, userId: string): Promise<string[]>;
  };
  readonly roles: {
    assign(tenantId: string, userId: string, role: DirectoryRole, actor: AuditActor): Promise<void>;
    unassign(
      tenantId: string,
      userId: string,
      role: DirectoryRole,
      actor: AuditActor,
    ): Promise<void>;
    list(tenantId: string): Promise<DirectoryRoleAssignment[]>;
    rolesOfUser(tenantId: string, userId: string): Promise<DirectoryRole[]>;
  };
}

/**
 * Binds the directory's services to a database and the tenant-creation hooks.
 *
 * @example
 * const directory = createDirectory({ database, onTenantCreated: [createSigningKey] });
 * const tenant = await directory.tenants.create({ slug: "contoso", displayName: "Contoso" }, CLI_ACTOR);
 * const ada = await directory.users.create(
 *   tenant.id,
 *   { userPrincipalName: "ada@contoso.com", displayName: "Ada Lovelace", password },
 *   CLI_ACTOR,
 * );
 * await directory.roles.assign(tenant.id, ada.id, "global_administrator", CLI_ACTOR);
 */
export function createDirectory(options: DirectoryOptions): Directory {
  const { db } = options.database;
  const hooks = [...(options.onTenantCreated ?? [])];
  return {
    tenants: {
      create: (input, actor) => createTenant(db, input, actor, hooks),
      list: () => listTenants(db),
      get: (id) => getTenant(db, id),
      resolve: (ref) => resolveTenant(db, ref),
      require: (ref) => requireTenant(db, ref),
      addDomain: (tenantId, domain, actor) => addDomain(db, tenantId, domain, actor),
      listDomains: (tenantId) => listDomains(db, tenantId),
    },
    users: {
      create: (tenantId, input, actor) => createUser(db, tenantId, input, actor),
      list: (tenantId) => listUsers(db, tenantId),
      get: (tenantId, id) => getUser(db, tenantId, id),
      findByUpn: (tenantId, upn) => findUserByUpn(db, tenantId, upn),
      require: (tenantId, ref) => requireUser(db, tenantId, ref),
      disable: (tenantId, userId, actor) => disableUser(db, tenantId, userId, actor),
      enable: (tenantId, userId, actor) => enableUser(db, tenantId, userId, actor),
      setPassword: (tenantId, userId, password, actor) =>
        setUserPassword(db, tenantId, userId, password, actor),
      authenticate: (tenantId, upn, password) => authenticate(db, tenantId, upn, password),
    },
    groups: {
      create: (tenantId, input, actor) => createGroup(db, tenantId, input, actor),
      list: (tenantId) => listGroups(db, tenantId),
      get: (tenantId, id) => getGroup(db, tenantId, id),
      require: (tenantId, ref) => requireGroup(db, tenantId, ref),
      addMember: (tenantId, groupId, userId, actor) =>
        addGroupMember(db, tenantId, groupId, userId, actor),
      removeMember: (tenantId, groupId, userId, actor) =>
        removeGroupMember(db, tenantId, groupId, userId, actor),
      members: (tenantId, groupId) => listGroupMembers(db, tenantId, groupId),
      groupIdsOfUser: (tenantId, userId) => groupIdsOfUser(db, tenantId, userId),
    },
    roles: {
      assign: (tenantId, userId, role, actor) =>
        assignDirectoryRole(db, tenantId, userId, role, actor),
      unassign: (tenantId, userId, role, actor) =>
        unassignDirectoryRole(db, tenantId, userId, role, actor),
      list: (tenantId) => listRoleAssignments(db, tenantId),
      rolesOfUser: (tenantId, userId) => rolesOfUser(db, tenantId, userId),
    },
  };
}
