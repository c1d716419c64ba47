import type { MigrationSet } from "../../src/platform/db/index.ts";
import * as m0001 from "./0001-directory.ts";
import * as m0002 from "./0002-applications.ts";
import * as m0003 from "./0003-signing-keys.ts";
import * as m0004 from "./0004-oidc-store.ts";

/** The identity schema's migrations, in order. Append only. */
export const identityMigrations: MigrationSet = {
  schema: "identity",
  migrations: [
    { name: "0001-directory", up: m0001.up },
    { name: "0002-applications", up: m0002.up },
    { name: "0003-signing-keys", up: m0003.up },
    { name: "0004-oidc-store", up: m0004.up },
  ],
};
