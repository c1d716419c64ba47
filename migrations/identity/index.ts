import type { MigrationSet } from "../../src/platform/db/index.ts";
import * as m0001 from "./0001-directory.ts";

/** The identity schema's migrations, in order. Append only. */
export const identityMigrations: MigrationSet = {
  schema: "identity",
  migrations: [{ name: "0001-directory", up: m0001.up }],
};
