import type { ColumnType, Generated } from "kysely";

/**
 * The identity schema as Kysely sees it. Table names are schema-qualified (`identity.users`):
 * the three services share one database but each owns its own schema.
 * Every tenant-owned table carries `tenant_id`, and every query filters on it.
 */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface TenantsTable {
  id: Generated<string>;
  slug: string;
  display_name: string;
  is_system: Generated<boolean>;
  enabled: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TenantDomainsTable {
  domain: string;
  tenant_id: string;
  created_at: Timestamp;
}

export interface UsersTable {
  id: Generated<string>;
  tenant_id: string;
  user_principal_name: string;
  display_name: string;
  enabled: Generated<boolean>;
  password_hash: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GroupsTable {
  id: Generated<string>;
  tenant_id: string;
  display_name: string;
  description: string | null;
  created_at: Timestamp;
}

export interface GroupMembersTable {
  tenant_id: string;
  group_id: string;
  user_id: string;
  created_at: Timestamp;
}

export interface DirectoryRoleAssignmentsTable {
  tenant_id: string;
  user_id: string;
  role: string;
  created_at: Timestamp;
}

export interface AuditEventsTable {
  seq: Generated<number>;
  id: Generated<string>;
  tenant_id: string;
  activity: string;
  category: string;
  result: Generated<string>;
  actor: Json<unknown>;
  targets: Json<unknown[]>;
  modified_properties: Json<unknown[]>;
  additional_details: Json<Record<string, unknown>>;
  correlation_id: string | null;
  created_at: Timestamp;
  prev_hash: string | null;
  hash: string;
}

export interface IdentityDB {
  "identity.tenants": TenantsTable;
  "identity.tenant_domains": TenantDomainsTable;
  "identity.users": UsersTable;
  "identity.groups": GroupsTable;
  "identity.group_members": GroupMembersTable;
  "identity.directory_role_assignments": DirectoryRoleAssignmentsTable;
  "identity.audit_events": AuditEventsTable;
}
