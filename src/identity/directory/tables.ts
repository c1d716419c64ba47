import type { Generated } from "kysely";
import type { Timestamp } from "../db-types.ts";

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

export interface DirectoryTables {
  "identity.tenants": TenantsTable;
  "identity.tenant_domains": TenantDomainsTable;
  "identity.users": UsersTable;
  "identity.groups": GroupsTable;
  "identity.group_members": GroupMembersTable;
  "identity.directory_role_assignments": DirectoryRoleAssignmentsTable;
}
