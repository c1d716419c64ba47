/** The admin API's shapes the portal reads (see /api/openapi.json for the whole contract). */

export interface ResourceScopes {
  resourceAppId: string;
  resourceDisplayName: string;
  scopes: string[];
}

export interface ConsentRequestSummary {
  id: string;
  status: "pending" | "approved" | "denied" | "blocked" | "expired" | "withdrawn" | string;
  app: {
    id: string;
    appId: string;
    displayName: string;
    publisherName: string | null;
    publisherVerified: boolean;
    homepageUrl: string | null;
    logoUrl: string | null;
  };
  requesterCount: number;
  scopes: ResourceScopes[];
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  decidedAt: string | null;
  decidedBy: { type: string; id: string | null; displayName: string | null } | null;
  reason: string | null;
}

export type Audience =
  | { type: "everyone" }
  | { type: "groups"; ids: string[] }
  | { type: "users"; ids: string[] };

export interface ConsentRequestDetail extends ConsentRequestSummary {
  requesters: Array<{
    userId: string;
    userPrincipalName: string;
    displayName: string;
    justification: string;
    requestedAt: string;
    withdrawnAt: string | null;
  }>;
  scopeDiff: Array<{
    resourceAppId: string;
    resourceDisplayName: string;
    requested: Array<{
      value: string;
      displayName: string;
      description: string;
      adminConsentRequired: boolean;
      /** The tenant's classification; null or absent: unclassified. */
      classification?: "low" | "medium" | "high" | null;
    }>;
    alreadyGranted: string[];
    new: string[];
  }>;
  approval: { scopes: ResourceScopes[]; audience: Audience; until: string | null } | null;
  servicePrincipal: { id: string; blocked: boolean } | null;
  viewer: {
    isReviewer: boolean;
    canApprove: boolean;
    canDeny: boolean;
    canBlock: boolean;
    cannotApproveReason: string | null;
  };
}

export interface User {
  id: string;
  userPrincipalName: string;
  displayName: string;
  accountEnabled: boolean;
}

export interface Group {
  id: string;
  displayName: string;
  description: string | null;
}

export type UserConsent = "disabled" | "verified_publishers_low_impact" | "all_apps";

export interface Reviewer {
  type: "user" | "group" | "role";
  id: string;
}

export interface AdminConsentPolicy {
  isEnabled: boolean;
  reviewers: Reviewer[];
  notifyReviewers: boolean;
  remindersEnabled: boolean;
  requestDurationInDays: number;
}

/** GET /api/v1/notifications/email: whether notification email can go out. */
export interface EmailStatus {
  configured: boolean;
  waiting: number;
  message?: string;
}

/** Directory roles by key, as the API names them. */
export const DIRECTORY_ROLES: Record<string, string> = {
  global_administrator: "Global Administrator",
  privileged_role_administrator: "Privileged Role Administrator",
  cloud_application_administrator: "Cloud Application Administrator",
  application_administrator: "Application Administrator",
  global_reader: "Global Reader",
  reports_reader: "Reports Reader",
};

export interface ServicePrincipal {
  id: string;
  appId: string;
  applicationId: string;
  displayName: string;
  accountEnabled: boolean;
  appRoleAssignmentRequired: boolean;
  visibleToUsers: boolean;
  notes: string | null;
  publisherDisplayName: string | null;
  publisherVerified: boolean;
  appOwnerOrganizationId: string;
  applicationType: "own" | "external";
  createdDateTime: string;
}

export interface AppRoleAssignedTo {
  id: string;
  principalType: "User" | "Group";
  principalId: string;
  principalDisplayName: string | null;
  userPrincipalName: string | null;
  appRoleId: string;
  appRoleValue: string | null;
  createdDateTime: string;
}

export interface PermissionGrant {
  id: string;
  clientId: string;
  resourceAppId: string;
  resourceDisplayName: string;
  consentType: "AllPrincipals" | "Principal" | "Groups";
  principal: { id: string; userPrincipalName: string; displayName: string } | null;
  groups: Array<{ id: string; displayName: string | null }>;
  scope: string;
  expiryDateTime: string | null;
  grantedBy: {
    type: "user" | "application" | "system";
    id?: string;
    userPrincipalName?: string;
    displayName?: string;
    name?: string;
  } | null;
  createdDateTime: string;
  lastModifiedDateTime: string;
}

export interface SignIn {
  id: string;
  createdDateTime: string;
  requestId: string;
  correlationId: string | null;
  signInEventType: string;
  isInteractive: boolean;
  userId: string | null;
  userPrincipalName: string | null;
  userDisplayName: string | null;
  servicePrincipalName: string | null;
  appId: string | null;
  appDisplayName: string | null;
  resourceDisplayName: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  clientAppUsed: string | null;
  status: "success" | "failure" | "interrupted" | string;
  errorCode: number;
  failureReason: string | null;
}

export interface AuditActor {
  type: "user" | "application" | "system";
  id?: string;
  userPrincipalName?: string;
  displayName?: string;
  name?: string;
}

export interface DirectoryAudit {
  id: string;
  activityDateTime: string;
  activityDisplayName: string;
  category: string;
  result: string;
  correlationId: string | null;
  initiatedBy: AuditActor;
  targetResources: Array<{ type: string; id: string; displayName?: string }>;
  modifiedProperties: Array<{ name: string; oldValue: unknown; newValue: unknown }>;
  additionalDetails: Record<string, unknown>;
}
