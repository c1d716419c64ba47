import type { MigrationSet } from "../../src/platform/db/index.ts";
import * as m0001 from "./0001-mailboxes.ts";

/** The mail schema's migrations, in order. Append only. */
export const mailMigrations: MigrationSet = {
  schema: "mail",
  migrations: [{ name: "0001-mailboxes", up: m0001.up }],
};
