import type { ColumnType, Generated } from "kysely";
import type { WebhookDeliveryTable } from "../../platform/webhooks/index.ts";
import type { Json, Timestamp } from "../db-types.ts";

/** Scopes asked or approved on one resource application (by object id). */
export interface StoredResourceScopes {
  resourceApplicationId: string;
  scopes: string[];
}

/** Who an approval covers. */
export type StoredAudience =
  | { type: "everyone" }
  | { type: "groups"; ids: string[] }
  | { type: "users"; ids: string[] };

/** A stored reviewer of the policy. */
export interface StoredReviewer {
  type: "user" | "group" | "role";
  id: string;
}

type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

/** A tenant's admin consent request policy; no row means the defaults (policy.ts). */
export interface AdminConsentRequestPoliciesTable {
  tenant_id: string;
  reviewers: Json<StoredReviewer[]>;
  notify_reviewers: Generated<boolean>;
  reminders_enabled: Generated<boolean>;
  request_duration_days: Generated<number>;
  version: Generated<number>;
  updated_at: Timestamp;
}

/** One admin consent request: one open (pending) request per tenant and client app. */
export interface ConsentRequestsTable {
  id: Generated<string>;
  tenant_id: string;
  client_application_id: string;
  status: Generated<"pending" | "approved" | "denied" | "blocked" | "expired" | "withdrawn">;
  requester_count: Generated<number>;
  created_at: ColumnType<Date, Date | string, Date | string>;
  updated_at: ColumnType<Date, Date | string, Date | string>;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  reminder_sent_at: NullableTimestamp;
  decided_at: NullableTimestamp;
  decided_by: NullableJson<Record<string, unknown>>;
  decision_reason: string | null;
  approved_scopes: NullableJson<StoredResourceScopes[]>;
  approved_audience: NullableJson<StoredAudience>;
  approved_until: NullableTimestamp;
}

/** One user's entry in a request. */
export interface ConsentRequestRequestersTable {
  tenant_id: string;
  request_id: string;
  user_id: string;
  justification: string;
  scopes: Json<StoredResourceScopes[]>;
  requested_at: ColumnType<Date, Date | string, Date | string>;
  updated_at: ColumnType<Date, Date | string, Date | string>;
  withdrawn_at: NullableTimestamp;
}

/** A tenant's webhook endpoint (consent request events). */
export interface WebhookEndpointsTable {
  id: Generated<string>;
  tenant_id: string;
  url: string;
  description: string | null;
  secret_encrypted: string;
  event_types: Json<string[]>;
  enabled: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Tables of the consent requests module. */
export interface ConsentRequestTables {
  "identity.admin_consent_request_policies": AdminConsentRequestPoliciesTable;
  "identity.consent_requests": ConsentRequestsTable;
  "identity.consent_request_requesters": ConsentRequestRequestersTable;
  "identity.webhook_endpoints": WebhookEndpointsTable;
  /** The platform's delivery log (migration 0009), read for an endpoint's deliveries. */
  "identity.webhook_deliveries": WebhookDeliveryTable;
}
