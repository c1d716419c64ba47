import type { MigrationSet } from "../../src/platform/db/index.ts";
import * as m0001 from "./0001-directory.ts";
import * as m0002 from "./0002-applications.ts";
import * as m0003 from "./0003-signing-keys.ts";
import * as m0004 from "./0004-oidc-store.ts";
import * as m0005 from "./0005-consent.ts";
import * as m0006 from "./0006-oauth-cache-versions.ts";
import * as m0007 from "./0007-admin-api-resource.ts";
import * as m0008 from "./0008-sign-in-log.ts";
import * as m0009 from "./0009-outbox.ts";
import * as m0010 from "./0010-consent-cache-versions.ts";
import * as m0011 from "./0011-consent-requests.ts";
import * as m0013 from "./0013-admin-api-permissions.ts";
import * as m0014 from "./0014-portal-app.ts";
import * as m0017 from "./0017-data-scale-indexes.ts";

/** The identity schema's migrations, in order. Append only. */
export const identityMigrations: MigrationSet = {
  schema: "identity",
  migrations: [
    { name: "0001-directory", up: m0001.up },
    { name: "0002-applications", up: m0002.up },
    { name: "0003-signing-keys", up: m0003.up },
    { name: "0004-oidc-store", up: m0004.up },
    { name: "0005-consent", up: m0005.up },
    { name: "0006-oauth-cache-versions", up: m0006.up },
    { name: "0007-admin-api-resource", up: m0007.up },
    { name: "0008-sign-in-log", up: m0008.up },
    { name: "0009-outbox", up: m0009.up },
    { name: "0010-consent-cache-versions", up: m0010.up },
    { name: "0011-consent-requests", up: m0011.up },
    { name: "0013-admin-api-permissions", up: m0013.up },
    { name: "0014-portal-app", up: m0014.up },
    { name: "0017-data-scale-indexes", up: m0017.up },
  ],
};
