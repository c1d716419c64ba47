import type { Generated } from "kysely";
import type { Json, Timestamp } from "../db-types.ts";

export interface AuditEventsTable {
  seq: Generated<number>;
  id: Generated<string>;
  tenant_id: string;
  activity: string;
  category: string;
  result: Generated<string>;
  actor: Json<unknown>;
  targets: Json<unknown[]>;
  modified_properties: Json<unknown[]>;
  additional_details: Json<Record<string, unknown>>;
  correlation_id: string | null;
  created_at: Timestamp;
  prev_hash: string | null;
  hash: string;
}

export type SignInEventType = "interactiveUser" | "nonInteractiveUser" | "servicePrincipal";
export type SignInStatus = "success" | "failure" | "interrupted";

/** One sign-in or token request (partitioned by month on created_at; see migration 0008). */
export interface SignInEventsTable {
  id: Generated<string>;
  tenant_id: string;
  created_at: Timestamp;
  request_id: string;
  correlation_id: string | null;
  event_type: SignInEventType;
  is_interactive: boolean;
  user_id: string | null;
  user_principal_name: string | null;
  user_display_name: string | null;
  service_principal_id: string | null;
  service_principal_name: string | null;
  app_id: string | null;
  app_display_name: string | null;
  resource_id: string | null;
  resource_display_name: string | null;
  ip_address: string | null;
  user_agent: string | null;
  client_app_used: string | null;
  status: SignInStatus;
  error_code: Generated<number>;
  failure_reason: string | null;
  additional_details: Json<Record<string, unknown>>;
}

export interface TenantActivitySettingsTable {
  tenant_id: string;
  retention_days: number;
  updated_at: Timestamp;
}

export interface ActivityTables {
  "identity.audit_events": AuditEventsTable;
  "identity.sign_in_events": SignInEventsTable;
  "identity.tenant_activity_settings": TenantActivitySettingsTable;
}
