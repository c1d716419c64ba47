import type { ActivityTables } from "./activity/tables.ts";
import type { AppsTables } from "./apps/tables.ts";
import type { ConsentTables } from "./consent/tables.ts";
import type { ConsentRequestTables } from "./consent-requests/tables.ts";
import type { DirectoryTables } from "./directory/tables.ts";
import type { OAuthTables } from "./oauth/tables.ts";

/**
 * The identity schema as Kysely sees it. Table names are schema-qualified (`identity.users`):
 * the three services share one database but each owns its own schema. Each module declares
 * its own tables in its `tables.ts`; this interface composes them.
 * Every tenant-owned table carries `tenant_id`, and every query filters on it.
 */
export interface IdentityDB
  extends DirectoryTables,
    ActivityTables,
    AppsTables,
    ConsentTables,
    ConsentRequestTables,
    OAuthTables {}
