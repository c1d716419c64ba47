import type { MigrationSet } from "../../src/platform/db/index.ts";
import * as m0001 from "./0001-connect.ts";
import * as m0002 from "./0002-outbox.ts";

/** The connect schema's migrations, in order. Append only. */
export const connectMigrations: MigrationSet = {
  schema: "connect",
  migrations: [
    { name: "0001-connect", up: m0001.up },
    { name: "0002-outbox", up: m0002.up },
  ],
};
