/**
 * The public shapes of the admin consent workflow. The first block is the contract with the
 * user-facing pages (/work/notes/workflow-contract.md); the rest serve the admin REST API.
 */

/** Tenant's admin consent request policy (Entra adminConsentRequestPolicy). */
export interface AdminConsentRequestPolicy {
  /** "Users can request admin consent to apps they are unable to consent to" (= consent_settings.admin_consent_workflow_enabled). */
  isEnabled: boolean;
  /** Role id = directory role key (`global_administrator`, ...). */
  reviewers: Array<{ type: "user" | "group" | "role"; id: string }>;
  notifyReviewers: boolean;
  remindersEnabled: boolean;
  /** 1..30, default 30. */
  requestDurationInDays: number;
}

export type ConsentRequestStatus =
  | "pending"
  | "approved"
  | "denied"
  | "blocked"
  | "expired"
  | "withdrawn";

export const CONSENT_REQUEST_STATUSES: readonly ConsentRequestStatus[] = [
  "pending",
  "approved",
  "denied",
  "blocked",
  "expired",
  "withdrawn",
];

/** The longest justification (and reviewer's reason) accepted, in characters. */
export const JUSTIFICATION_MAX_LENGTH = 1000;

export interface SubmitConsentRequest {
  tenantId: string;
  /** The client application (applications.id, not appId). */
  clientApplicationId: string;
  userId: string;
  /** Trimmed; 1..JUSTIFICATION_MAX_LENGTH, else ApiError 400 consent_request.invalid_justification. */
  justification: string;
  /** What the user asked and could not get, by resource (bare scope values, OIDC scopes under Assent Mail). */
  requested: Array<{ resourceApplicationId: string; scopes: string[] }>;
  correlationId?: string;
  /**
   * Submissions this user may make per 15 minutes, for any apps (default
   * SUBMISSIONS_PER_USER; 0: unlimited); beyond it, 429 consent_request.too_many.
   */
  perUserLimit?: number;
}

/** The app as the workflow's pages and API show it. */
export interface ConsentRequestApp {
  /** Object id (applications.id). */
  id: string;
  /** Client id. */
  appId: string;
  displayName: string;
  publisherName: string | null;
  publisherVerified: boolean;
  homepageUrl: string | null;
  logoUrl: string | null;
}

/** Scopes on one resource, named for people. */
export interface ResourceScopes {
  resourceAppId: string;
  resourceDisplayName: string;
  scopes: string[];
}

/**
 * What the requester sees on their status page; undefined if the request does not exist in the
 * tenant or the user is not one of its requesters (the page shows 404 then).
 */
export interface RequesterView {
  requestId: string;
  status: ConsentRequestStatus;
  app: ConsentRequestApp;
  /** This user's entry. */
  requester: {
    justification: string;
    requestedAt: Date;
    scopes: ResourceScopes[];
    withdrawnAt: Date | null;
  };
  createdAt: Date;
  expiresAt: Date;
  decidedAt: Date | null;
  /** The reviewer's reason for denied/blocked. */
  reason: string | null;
  /** For approved: whether the approval covers this user (everyone, or a group/user they are in). */
  approvedForYou: boolean | null;
}

/** Who an approval covers. */
export type ApprovalAudience =
  | { type: "everyone" }
  | { type: "groups"; ids: string[] }
  | { type: "users"; ids: string[] };

/** Who acts on a request: a signed-in user (their live roles apply) or an app with the app role. */
export type ConsentRequestViewer =
  | { kind: "user"; userId: string }
  | { kind: "application"; servicePrincipalId: string; appId?: string | undefined };
