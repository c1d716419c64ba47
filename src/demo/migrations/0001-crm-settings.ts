import { type Kysely, sql } from "kysely";

/**
 * What the demo app (Northwind CRM) needs to call Assent Connect as a customer would: its
 * Connect application and API key. Connect keeps only the key's hash, so the demo keeps the
 * key itself, encrypted under the key ring. One row: there is one demo app.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table demo.crm_settings (
      id smallint primary key default 1 constraint crm_settings_single_row check (id = 1),
      connect_application_id uuid not null,
      api_key_enc text not null,
      created_at timestamptz not null default now()
    );
  `.execute(db);
}
