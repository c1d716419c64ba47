import type { ColumnType } from "kysely";

/** The demo schema as Kysely sees it (src/demo/migrations). */
export interface CrmSettingsTable {
  id: ColumnType<number, number | undefined, never>;
  connect_application_id: string;
  /** The API key, encrypted under the key ring (context CRM_API_KEY_CONTEXT). */
  api_key_enc: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface DemoDB {
  "demo.crm_settings": CrmSettingsTable;
}
