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

/** Directory roles by key, as the API names them. */
export const DIRECTORY_ROLES: Record<string, string> = {
  global_administrator: "Global Administrator",
  privileged_role_administrator: "Privileged Role Administrator",
  cloud_application_administrator: "Cloud Application Administrator",
  application_administrator: "Application Administrator",
  global_reader: "Global Reader",
  reports_reader: "Reports Reader",
};
