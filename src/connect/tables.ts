import type { ColumnType, Generated } from "kysely";
import type { OutboxTable } from "../platform/jobs/index.ts";
import type { WebhookDeliveryTable } from "../platform/webhooks/index.ts";

/**
 * The connect schema as Kysely sees it (migrations/connect). Connect never imports Identity,
 * so the column helpers are declared here rather than shared.
 */

/** A timestamptz column: read as Date, written as Date or ISO string, defaulted when omitted. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
/** A jsonb column: read parsed, written as a JSON string (both dialects then agree). */
type Json<T> = ColumnType<T, string | undefined, string>;

export type ProviderName = "assent" | "microsoft" | "google";
export type GrantStatus = "valid" | "invalid";

export interface ApplicationsTable {
  id: Generated<string>;
  name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiKeysTable {
  id: Generated<string>;
  application_id: string;
  name: string;
  key_hash: string;
  created_at: Timestamp;
  revoked_at: NullableTimestamp;
}

export interface CallbackUrisTable {
  application_id: string;
  uri: string;
  created_at: Timestamp;
}

/** What a connector stores besides its secret. */
export interface ConnectorSettings {
  client_id: string;
  /** `assent`: the OpenID Connect issuer, discovered. */
  issuer?: string;
  /** `microsoft`: the authority host (default https://login.microsoftonline.com). */
  authority?: string;
  /** `microsoft`: the tenant segment of the authority (default "common"). */
  tenant?: string;
  /** Graph-shaped mail API base (…/v1.0) for the message passthrough. */
  mail_api_url?: string;
}

export interface ConnectorsTable {
  id: Generated<string>;
  application_id: string;
  provider: ProviderName;
  settings: Json<ConnectorSettings>;
  client_secret_enc: string | null;
  scope: Json<string[]>;
  identity_webhook_secret_enc: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuthSessionsTable {
  id: Generated<string>;
  application_id: string;
  provider: ProviderName;
  response_type: "code" | "adminconsent";
  state_hash: string;
  redirect_uri: string;
  app_state: string | null;
  scope: Json<string[]>;
  login_hint: string | null;
  code_challenge: string | null;
  code_challenge_method: string | null;
  provider_verifier_enc: string | null;
  nonce: string | null;
  pending_approval_id: string | null;
  expires_at: Timestamp;
  consumed_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface GrantsTable {
  id: Generated<string>;
  application_id: string;
  provider: ProviderName;
  email: string;
  name: string | null;
  provider_user_id: string | null;
  provider_tenant: string | null;
  grant_status: ColumnType<GrantStatus, GrantStatus | undefined, GrantStatus>;
  scope: Json<string[]>;
  settings: Json<Record<string, unknown>>;
  access_token_enc: string | null;
  access_token_expires_at: NullableTimestamp;
  refresh_token_enc: string | null;
  id_token_enc: string | null;
  app_refresh_token_hash: string | null;
  refreshing_until: NullableTimestamp;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuthCodesTable {
  code_hash: string;
  application_id: string;
  grant_id: string;
  redirect_uri: string;
  code_challenge: string | null;
  code_challenge_method: string | null;
  expires_at: Timestamp;
  consumed_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface PendingApprovalsTable {
  id: Generated<string>;
  application_id: string;
  provider: ProviderName;
  provider_tenant: string;
  email: string;
  outcome: string;
  status: ColumnType<"pending" | "approved", "pending" | "approved" | undefined>;
  error_code: string | null;
  error_description: string | null;
  redirect_uri: string;
  scope: Json<string[]>;
  approved_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type DestinationStatus = "active" | "failing" | "failed" | "pause";

export interface WebhookDestinationsTable {
  id: Generated<string>;
  application_id: string;
  url: string;
  description: string | null;
  trigger_types: Json<string[]>;
  secret_enc: string;
  status: ColumnType<DestinationStatus, DestinationStatus | undefined>;
  notification_email_addresses: Json<string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ConnectDB {
  "connect.applications": ApplicationsTable;
  "connect.api_keys": ApiKeysTable;
  "connect.callback_uris": CallbackUrisTable;
  "connect.connectors": ConnectorsTable;
  "connect.auth_sessions": AuthSessionsTable;
  "connect.grants": GrantsTable;
  "connect.auth_codes": AuthCodesTable;
  "connect.pending_approvals": PendingApprovalsTable;
  "connect.webhook_destinations": WebhookDestinationsTable;
  "connect.outbox": OutboxTable;
  "connect.webhook_deliveries": WebhookDeliveryTable;
}
