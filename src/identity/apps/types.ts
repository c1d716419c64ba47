/** Who may sign in to an application: its home tenant only, or any tenant (Entra names). */
export type SignInAudience = "AzureADMyOrg" | "AzureADMultipleOrgs";

/** An app registration, as every caller sees it (secrets are never part of it). */
export interface Application {
  /** Object id (applications.id). */
  id: string;
  /** Client id: what `client_id` carries on the wire. */
  appId: string;
  /** Publisher (home) tenant. */
  tenantId: string;
  displayName: string;
  signInAudience: SignInAudience;
  isPublicClient: boolean;
  /** Exactly as registered: redirect URIs are compared by exact string match. */
  redirectUris: string[];
  publisherDisplayName: string | null;
  publisherVerified: boolean;
  homepageUrl: string | null;
  logoUrl: string | null;
  termsUrl: string | null;
  privacyUrl: string | null;
  /** Application ID URIs, e.g. `api://{appId}`; the resource prefix of its scopes. */
  identifierUris: string[];
  createdAt: Date;
}

/** An application's instance in one tenant (Entra "enterprise app"). */
export interface ServicePrincipal {
  id: string;
  tenantId: string;
  /** Object id of the application. */
  applicationId: string;
  /** Client id of the application. */
  appId: string;
  /** "Enabled for users to sign in?" */
  accountEnabled: boolean;
  /** "Assignment required?" */
  appRoleAssignmentRequired: boolean;
  /** "Visible to users?" (My Apps). */
  visibleToUsers: boolean;
  notes: string | null;
}

/** A service principal with what a listing shows beside it. */
export interface ServicePrincipalListing extends ServicePrincipal {
  displayName: string;
  publisherDisplayName: string | null;
  publisherVerified: boolean;
  /** The application's home tenant: differs from tenantId for a third-party (multi-tenant) app. */
  homeTenantId: string;
  createdAt: Date;
}

/** A client secret's description: never the secret or its hash. */
export interface ClientSecretInfo {
  id: string;
  applicationId: string;
  displayName: string;
  /** First characters of the secret, to tell secrets apart. */
  hint: string;
  expiresAt: Date;
  createdAt: Date;
}

/** A new client secret: `secret` is the only time the plaintext exists outside the client. */
export interface AddedClientSecret extends ClientSecretInfo {
  secret: string;
}

/** A delegated permission an application exposes (Entra oauth2PermissionScope). */
export interface ExposedScope {
  id: string;
  applicationId: string;
  value: string;
  adminConsentDisplayName: string;
  adminConsentDescription: string;
  userConsentDisplayName: string | null;
  userConsentDescription: string | null;
  /** Entra type "Admin" (true) or "User" (false). */
  adminConsentRequired: boolean;
  enabled: boolean;
}

export type AppRoleMemberType = "User" | "Application";

/** An app role: an application permission ("Application") and/or a role for users and groups. */
export interface AppRole {
  id: string;
  applicationId: string;
  value: string;
  displayName: string;
  description: string;
  allowedMemberTypes: AppRoleMemberType[];
  enabled: boolean;
}

/** A permission an application statically requires on a resource (requiredResourceAccess). */
export interface RequiredPermission {
  applicationId: string;
  resourceApplicationId: string;
  permissionId: string;
  type: "Scope" | "Role";
}

export type PrincipalType = "User" | "Group" | "ServicePrincipal";

export interface AppRoleAssignment {
  id: string;
  tenantId: string;
  resourceServicePrincipalId: string;
  principalType: PrincipalType;
  principalId: string;
  /** NIL_ROLE_ID for default access. */
  appRoleId: string;
  createdAt: Date;
}
