import type { Generated } from "kysely";
import type { Json, Timestamp } from "../db-types.ts";
import type { ConditionSet } from "./permission-grant-policy.ts";

/** A tenant's consent settings; no row means the defaults (see settings.ts). */
export interface ConsentSettingsTable {
  tenant_id: string;
  user_consent: Generated<"disabled" | "verified_publishers_low_impact" | "all_apps">;
  admin_consent_workflow_enabled: Generated<boolean>;
  updated_at: Timestamp;
}

/** A tenant's classification of one delegated permission of a resource. */
export interface PermissionClassificationsTable {
  tenant_id: string;
  resource_application_id: string;
  scope_value: string;
  classification: "low" | "medium" | "high";
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A tenant's own permission grant policy (Entra app consent policy). */
export interface PermissionGrantPoliciesTable {
  tenant_id: string;
  id: string;
  display_name: string;
  description: string | null;
  includes: Json<ConditionSet[]>;
  excludes: Json<ConditionSet[]>;
  assigned_to_users: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A delegated permission grant (Entra oAuth2PermissionGrant). */
export interface OAuth2PermissionGrantsTable {
  id: Generated<string>;
  tenant_id: string;
  client_service_principal_id: string;
  resource_application_id: string;
  consent_type: "AllPrincipals" | "Principal" | "Groups";
  principal_id: string | null;
  group_ids: Json<string[]>;
  scopes: Json<string[]>;
  expires_at: Date | string | null;
  granted_by: Json<unknown>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Tables of the consent module. */
export interface ConsentTables {
  "identity.consent_settings": ConsentSettingsTable;
  "identity.permission_classifications": PermissionClassificationsTable;
  "identity.permission_grant_policies": PermissionGrantPoliciesTable;
  "identity.oauth2_permission_grants": OAuth2PermissionGrantsTable;
}
