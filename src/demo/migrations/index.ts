import type { MigrationSet } from "../../platform/db/index.ts";
import * as m0001 from "./0001-crm-settings.ts";

/**
 * The demo schema's migrations, in order; append only. Applied by the demo seed alone (under
 * `assent start`), never by `assent migrate`: a production database has no demo schema.
 */
export const demoMigrations: MigrationSet = {
  schema: "demo",
  migrations: [{ name: "0001-crm-settings", up: m0001.up }],
};
