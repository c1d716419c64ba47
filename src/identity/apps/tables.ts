import type { Generated } from "kysely";
import type { Json, Timestamp } from "../db-types.ts";

/** An app registration. `id` is the object id; `app_id` is the client id the protocol uses. */
export interface ApplicationsTable {
  id: Generated<string>;
  app_id: Generated<string>;
  /** The publisher's (home) tenant. */
  tenant_id: string;
  display_name: string;
  sign_in_audience: Generated<"AzureADMyOrg" | "AzureADMultipleOrgs">;
  is_public_client: Generated<boolean>;
  redirect_uris: Json<string[]>;
  publisher_display_name: string | null;
  publisher_verified: Generated<boolean>;
  homepage_url: string | null;
  logo_url: string | null;
  terms_url: string | null;
  privacy_url: string | null;
  identifier_uris: Json<string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApplicationSecretsTable {
  id: Generated<string>;
  tenant_id: string;
  application_id: string;
  display_name: Generated<string>;
  /** The first characters of the secret, so people can tell their secrets apart. */
  hint: string;
  secret_hash: string;
  expires_at: Timestamp;
  created_at: Timestamp;
}

/** A delegated permission the application exposes (Entra oauth2PermissionScope). */
export interface ApplicationScopesTable {
  id: Generated<string>;
  tenant_id: string;
  application_id: string;
  value: string;
  admin_consent_display_name: string;
  admin_consent_description: string;
  user_consent_display_name: string | null;
  user_consent_description: string | null;
  admin_consent_required: Generated<boolean>;
  enabled: Generated<boolean>;
  created_at: Timestamp;
}

/** An app role: an application permission and/or a role users and groups are assigned. */
export interface ApplicationRolesTable {
  id: Generated<string>;
  tenant_id: string;
  application_id: string;
  value: string;
  display_name: string;
  description: string;
  allowed_member_types: Json<Array<"User" | "Application">>;
  enabled: Generated<boolean>;
  created_at: Timestamp;
}

/** A permission the application statically requires (Entra requiredResourceAccess). */
export interface ApplicationRequiredPermissionsTable {
  tenant_id: string;
  application_id: string;
  resource_application_id: string;
  permission_id: string;
  type: "Scope" | "Role";
  created_at: Timestamp;
}

/** An application's instance in one tenant (Entra enterprise app). */
export interface ServicePrincipalsTable {
  id: Generated<string>;
  tenant_id: string;
  application_id: string;
  account_enabled: Generated<boolean>;
  app_role_assignment_required: Generated<boolean>;
  visible_to_users: Generated<boolean>;
  /** Blocked by a reviewer of the admin consent workflow (migration 0005); read by consent/. */
  blocked: Generated<boolean>;
  notes: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AppRoleAssignmentsTable {
  id: Generated<string>;
  tenant_id: string;
  resource_service_principal_id: string;
  principal_type: "User" | "Group" | "ServicePrincipal";
  principal_id: string;
  /** The nil uuid means "default access". */
  app_role_id: string;
  created_at: Timestamp;
}

/** A tenant's token signing key; the private JWK is a KeyRing envelope, never plain JSON. */
export interface SigningKeysTable {
  kid: string;
  tenant_id: string;
  alg: "RS256" | "ES256";
  private_jwk: string;
  public_jwk: Json<Record<string, unknown>>;
  status: Generated<"active" | "retired">;
  created_at: Timestamp;
  retired_at: Date | null;
  published_until: Date | null;
}

/** Tables of app registrations, service principals and signing keys. */
export interface AppsTables {
  "identity.applications": ApplicationsTable;
  "identity.application_secrets": ApplicationSecretsTable;
  "identity.application_scopes": ApplicationScopesTable;
  "identity.application_roles": ApplicationRolesTable;
  "identity.application_required_permissions": ApplicationRequiredPermissionsTable;
  "identity.service_principals": ServicePrincipalsTable;
  "identity.app_role_assignments": AppRoleAssignmentsTable;
  "identity.signing_keys": SigningKeysTable;
}
