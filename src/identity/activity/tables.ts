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

export interface ActivityTables {
  "identity.audit_events": AuditEventsTable;
}
