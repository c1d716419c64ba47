/** The admin API's app registration shapes the App registrations pages read (see /api/docs). */

export type SignInAudience = "AzureADMyOrg" | "AzureADMultipleOrgs";

export interface Application {
  id: string;
  appId: string;
  displayName: string;
  signInAudience: SignInAudience;
  isPublicClient: boolean;
  redirectUris: string[];
  identifierUris: string[];
  publisherDisplayName: string | null;
  publisherVerified: boolean;
  homepageUrl: string | null;
  logoUrl: string | null;
  termsUrl: string | null;
  privacyUrl: string | null;
  createdDateTime: string;
}

export interface PasswordCredential {
  keyId: string;
  displayName: string;
  hint: string;
  startDateTime: string;
  endDateTime: string;
}

export interface AddedPasswordCredential extends PasswordCredential {
  secretText: string;
}

export interface RequiredPermission {
  resourceAppId: string;
  resourceDisplayName: string | null;
  resourceUri: string | null;
  id: string;
  type: "Scope" | "Role";
  value: string | null;
}

export interface PermissionScope {
  id: string;
  value: string;
  adminConsentDisplayName: string;
  adminConsentDescription: string;
  userConsentDisplayName: string | null;
  userConsentDescription: string | null;
  type: "Admin" | "User";
  isEnabled: boolean;
}

export interface AppRole {
  id: string;
  value: string;
  displayName: string;
  description: string;
  allowedMemberTypes: Array<"User" | "Application">;
  isEnabled: boolean;
}

export const AUDIENCES: Record<SignInAudience, string> = {
  AzureADMyOrg: "Accounts in this organization only (single tenant)",
  AzureADMultipleOrgs: "Accounts in any organization (multi-tenant)",
};
