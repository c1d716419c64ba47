import { randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { MAIL_APPLICATION_ID } from "../../src/identity/apps/index.ts";
import type { IdentityDB } from "../../src/identity/db.ts";
import { type Database, openDatabase } from "../../src/platform/db/index.ts";
import { migrateAll } from "../../src/server/migrations.ts";

/**
 * Seeds for issue 10's data-scale scenarios, written with INSERT … SELECT generate_series (a
 * statement per table) so a million grants take seconds. Every id is a function of a number
 * (`idOf`), so the benchmark picks users, apps and requests by arithmetic, with no lookups.
 * Triggers are off while seeding (`session_replication_role = replica`: no per-row cache
 * version bumps, no foreign key checks); the generators below keep the references right.
 */

/** The tenant every seeded row belongs to. */
export const TENANT = "7c0e4a52-1d3b-4f6a-9e8d-2b5c7a9f0e13";

const PREFIX = {
  user: "10000000-0000-4000-8000-",
  group: "20000000-0000-4000-8000-",
  application: "30000000-0000-4000-8000-",
  appId: "31000000-0000-4000-8000-",
  servicePrincipal: "40000000-0000-4000-8000-",
  request: "50000000-0000-4000-8000-",
} as const;

export type IdKind = keyof typeof PREFIX;

/** The seeded id of the n-th object of a kind (n from 0). */
export function idOf(kind: IdKind, n: number): string {
  return `${PREFIX[kind]}${String(n).padStart(12, "0")}`;
}

/** The same, as SQL over an integer expression. */
function sqlId(kind: IdKind, n: string): string {
  return `('${PREFIX[kind]}' || lpad((${n})::text, 12, '0'))::uuid`;
}

/** The directory and apps both scenarios stand on. */
export interface DirectorySize {
  users: number;
  groups: number;
  apps: number;
}

/** Scenario 1: the consent decision's world. */
export interface DecisionSize extends DirectorySize {
  grants: number;
}

/**
 * How the decision seed's apps are set up, by `app % 20`: 10 and 11 are granted tenant-wide
 * (AllPrincipals), 12 and 13 to one group (`app % groups`), 14 require assignment (given to that
 * same group), 15 are blocked. Every app also has per-user grants (`principalGrant`).
 */
export const APP_CLASS = {
  tenantWide: [10, 11],
  groupGrant: [12, 13],
  assignmentRequired: [14],
  blocked: [15],
} as const;

export function appClassOf(app: number): keyof typeof APP_CLASS | "perUser" {
  const c = app % 20;
  for (const [name, values] of Object.entries(APP_CLASS))
    if ((values as readonly number[]).includes(c)) return name as keyof typeof APP_CLASS;
  return "perUser";
}

/** A user's one group: user u is in group u % groups. */
export function groupOfUser(size: DirectorySize, user: number): number {
  return user % size.groups;
}

/**
 * How the per-user (Principal) grants are laid out. App 0 is the popular one: every even user
 * granted it (user 2j holds its grant j). The rest spread evenly over apps 1…: grant g of those
 * is app 1 + g % (apps - 1), its j = g / (apps - 1), user (app * 37 + j * step) % users.
 */
export function principalLayout(size: DecisionSize) {
  const principal =
    size.grants - countOf(size, APP_CLASS.tenantWide) - countOf(size, APP_CLASS.groupGrant);
  const popular = Math.floor(size.users / 2);
  const rest = principal - popular;
  const perApp = Math.ceil(rest / (size.apps - 1));
  if (rest < 0 || perApp * 2 > size.users)
    throw new Error(`too few users (${size.users}) for ${perApp} per-user grants an app`);
  const step = Math.floor(size.users / perApp);
  return { principal, popular, rest, perApp, step };
}

/** How many per-user grants an app has (its j run from 0 to that minus one). */
export function principalGrantsOf(size: DecisionSize, app: number): number {
  const { popular, rest } = principalLayout(size);
  if (app === 0) return popular;
  return Math.floor((rest - 1 - (app - 1)) / (size.apps - 1)) + 1;
}

/** The user of the j-th per-user grant of an app. */
export function principalGrantUser(size: DecisionSize, app: number, j: number): number {
  if (app === 0) return 2 * j;
  const { step } = principalLayout(size);
  return (app * 37 + j * step) % size.users;
}

/** A user without a per-user grant to the app (half a step from the j-th one that has). */
export function ungrantedUser(size: DecisionSize, app: number, j: number): number {
  if (app === 0) return 2 * j + 1;
  const { step } = principalLayout(size);
  return (app * 37 + j * step + Math.floor(step / 2)) % size.users;
}

function countOf(size: DirectorySize, classes: readonly number[]): number {
  let n = 0;
  for (let a = 0; a < size.apps; a++) if (classes.includes(a % 20)) n++;
  return n;
}

const MAIL_SCOPES = `'["openid","profile","email","offline_access","User.Read","Mail.Read"]'`;

/** A scratch PostgreSQL database (as test/support/databases.ts makes), dropped by `drop()`. */
export async function scratchPostgres(adminUrl: string) {
  const name = `assent_bench_scale_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A fresh migrated database (scratch PostgreSQL, or PGlite in memory) for `fn`. */
export async function withScaleDatabase<T>(
  postgresAdminUrl: string | undefined,
  fn: (database: Database<IdentityDB>) => Promise<T>,
): Promise<T> {
  const made = postgresAdminUrl ? await scratchPostgres(postgresAdminUrl) : undefined;
  try {
    const database = await openDatabase<IdentityDB>(
      made
        ? { kind: "postgres", url: made.url, poolMax: 10 }
        : { kind: "pglite", dataDir: undefined },
    );
    try {
      await migrateAll(database.db);
      return await fn(database);
    } finally {
      await database.close();
    }
  } finally {
    await made?.drop();
  }
}

/** Runs the statements on one connection with triggers off, then analyzes. */
async function seedWith(db: Kysely<IdentityDB>, statements: string[]): Promise<void> {
  await db.connection().execute(async (conn) => {
    await sql`set session_replication_role = replica`.execute(conn);
    try {
      for (const s of statements) await sql.raw(s).execute(conn);
    } finally {
      await sql`set session_replication_role = origin`.execute(conn);
    }
  });
  await sql`analyze`.execute(db);
}

function directoryStatements(size: DirectorySize, appsClass: (a: string) => string): string[] {
  const u = "g";
  return [
    `insert into identity.tenants (id, slug, display_name)
     values ('${TENANT}', 'bench-scale', 'Bench Scale')`,
    `insert into identity.consent_settings (tenant_id, user_consent, admin_consent_workflow_enabled)
     values ('${TENANT}', 'verified_publishers_low_impact', true)`,
    `insert into identity.users (id, tenant_id, user_principal_name, display_name)
     select ${sqlId("user", u)}, '${TENANT}', 'user' || g || '@scale.example', 'User ' || g
     from generate_series(0, ${size.users - 1}) g`,
    `insert into identity.groups (id, tenant_id, display_name)
     select ${sqlId("group", u)}, '${TENANT}', 'Group ' || g
     from generate_series(0, ${size.groups - 1}) g`,
    `insert into identity.group_members (tenant_id, group_id, user_id)
     select '${TENANT}', ${sqlId("group", `g % ${size.groups}`)}, ${sqlId("user", u)}
     from generate_series(0, ${size.users - 1}) g`,
    // One user in a thousand is a Cloud Application Administrator (user 0 among them).
    `insert into identity.directory_role_assignments (tenant_id, user_id, role)
     select '${TENANT}', ${sqlId("user", u)}, 'cloud_application_administrator'
     from generate_series(0, ${size.users - 1}, 1000) g`,
    `insert into identity.applications (id, app_id, tenant_id, display_name, publisher_display_name,
       publisher_verified, redirect_uris)
     select ${sqlId("application", u)}, ${sqlId("appId", u)}, '${TENANT}', 'App ' || g,
       'Publisher ' || (g % 97), g % 3 <> 0, '["https://app.example/callback"]'
     from generate_series(0, ${size.apps - 1}) g`,
    `insert into identity.service_principals (id, tenant_id, application_id,
       app_role_assignment_required, blocked)
     select ${sqlId("servicePrincipal", u)}, '${TENANT}', ${sqlId("application", u)}, ${appsClass("g")}
     from generate_series(0, ${size.apps - 1}) g`,
  ];
}

const inClass = (a: string, classes: readonly number[]) => `${a} % 20 in (${classes.join(", ")})`;

/** Scenario 1's seed: directory, apps, their enterprise apps, and `grants` delegated grants. */
export async function seedDecisionData(
  database: Database<IdentityDB>,
  size: DecisionSize,
  log: (line: string) => void,
): Promise<number> {
  const started = performance.now();
  const { popular, rest, perApp, step } = principalLayout(size);
  const grantedBy = `'{"type":"user","id":"${idOf("user", 0)}"}'`;
  const statements = [
    ...directoryStatements(
      size,
      (a) => `${inClass(a, APP_CLASS.assignmentRequired)}, ${inClass(a, APP_CLASS.blocked)}`,
    ),
    `insert into identity.app_role_assignments (tenant_id, resource_service_principal_id,
       principal_type, principal_id, app_role_id)
     select '${TENANT}', ${sqlId("servicePrincipal", "g")}, 'Group',
       ${sqlId("group", `g % ${size.groups}`)}, '00000000-0000-0000-0000-000000000000'
     from generate_series(0, ${size.apps - 1}) g where ${inClass("g", APP_CLASS.assignmentRequired)}`,
    `insert into identity.oauth2_permission_grants (tenant_id, client_service_principal_id,
       resource_application_id, consent_type, scopes, granted_by)
     select '${TENANT}', ${sqlId("servicePrincipal", "g")}, '${MAIL_APPLICATION_ID}',
       'AllPrincipals', ${MAIL_SCOPES}, ${grantedBy}
     from generate_series(0, ${size.apps - 1}) g where ${inClass("g", APP_CLASS.tenantWide)}`,
    `insert into identity.oauth2_permission_grants (tenant_id, client_service_principal_id,
       resource_application_id, consent_type, group_ids, scopes, granted_by)
     select '${TENANT}', ${sqlId("servicePrincipal", "g")}, '${MAIL_APPLICATION_ID}', 'Groups',
       jsonb_build_array(${sqlId("group", `g % ${size.groups}`)}::text), ${MAIL_SCOPES}, ${grantedBy}
     from generate_series(0, ${size.apps - 1}) g where ${inClass("g", APP_CLASS.groupGrant)}`,
  ];
  const user = (n: string) => sqlId("user", n);
  const grant = (sp: string, principal: string) =>
    `select '${TENANT}', ${sqlId("servicePrincipal", sp)}, '${MAIL_APPLICATION_ID}', 'Principal',
       ${user(principal)}, ${MAIL_SCOPES}, ${grantedBy}`;
  const into = `insert into identity.oauth2_permission_grants (tenant_id,
    client_service_principal_id, resource_application_id, consent_type, principal_id, scopes,
    granted_by)`;
  statements.push(`${into} ${grant("0", "2 * g")} from generate_series(0, ${popular - 1}) g`);
  // The others, at most half a million a statement.
  const others = size.apps - 1;
  for (let from = 0; from < rest; from += 500_000) {
    const to = Math.min(rest, from + 500_000) - 1;
    const app = `(1 + g % ${others})`;
    statements.push(
      `${into} ${grant(app, `(${app} * 37 + (g / ${others}) * ${step}) % ${size.users}`)}
       from generate_series(${from}, ${to}) g`,
    );
  }
  await seedWith(database.db, statements);
  const seconds = (performance.now() - started) / 1000;
  log(
    `  seeded ${size.users.toLocaleString("en")} users, ${size.apps.toLocaleString("en")} apps, ${size.grants.toLocaleString("en")} grants (${popular.toLocaleString("en")} per-user grants to app 0, ${perApp} to each other app) in ${seconds.toFixed(1)} s`,
  );
  return seconds;
}

/** Scenario 2: requests of the admin consent workflow. */
export interface RequestSize extends DirectorySize {
  requests: number;
}

/**
 * How request r is laid out: app r % apps; the newest request of each app (r < apps) is pending
 * (one open request per app, as the partial unique index demands), older ones are decided. It
 * has 1 + (r * 7) % 12 requesters, created r minutes before `now`.
 */
export function requesterCountOf(r: number): number {
  return 1 + ((r * 7) % 12);
}

/** User 0 is the reviewer (a Cloud Application Administrator, and named in the policy). */
export const REVIEWER_USER = 0;

/** Scenario 2's seed: directory, apps, `requests` requests and their requesters. */
export async function seedRequestData(
  database: Database<IdentityDB>,
  size: RequestSize,
  now: Date,
  log: (line: string) => void,
): Promise<number> {
  // Requester k of request r is user (13r + 101k) % users: distinct for k < 12 with > 1,111 users.
  if (size.users <= 1111) throw new Error("more than 1,111 users, for distinct requesters");
  const started = performance.now();
  const at = `'${now.toISOString()}'::timestamptz`;
  const created = `${at} - make_interval(mins => g)`;
  const scopes = `'[{"resourceApplicationId":"${MAIL_APPLICATION_ID}","scopes":["Mail.Read"]}]'`;
  const decided = `'{"type":"user","id":"${idOf("user", REVIEWER_USER)}"}'`;
  const statements = [
    ...directoryStatements(size, () => "false, false"),
    `insert into identity.admin_consent_request_policies (tenant_id, reviewers)
     values ('${TENANT}', '[{"type":"user","id":"${idOf("user", REVIEWER_USER)}"},
       {"type":"group","id":"${idOf("group", 1)}"}]')`,
    `insert into identity.consent_requests (id, tenant_id, client_application_id, status,
       requester_count, created_at, updated_at, expires_at, decided_at, decided_by)
     select ${sqlId("request", "g")}, '${TENANT}', ${sqlId("application", `g % ${size.apps}`)},
       case when g < ${size.apps} then 'pending'
         else (array['approved', 'denied', 'expired', 'withdrawn'])[1 + g % 4] end,
       1 + (g * 7) % 12, ${created}, ${created},
       ${at} + interval '30 days',
       case when g < ${size.apps} then null else ${created} + interval '1 day' end,
       case when g < ${size.apps} then null else ${decided}::jsonb end
     from generate_series(0, ${size.requests - 1}) g`,
    `insert into identity.consent_request_requesters (tenant_id, request_id, user_id,
       justification, scopes, requested_at, updated_at)
     select '${TENANT}', ${sqlId("request", "g")}, ${sqlId("user", `(g * 13 + k * 101) % ${size.users}`)},
       'We need it for the quarterly reports.', ${scopes}, ${created}, ${created}
     from generate_series(0, ${size.requests - 1}) g,
       generate_series(0, (g * 7) % 12) k`,
  ];
  await seedWith(database.db, statements);
  const seconds = (performance.now() - started) / 1000;
  log(
    `  seeded ${size.requests.toLocaleString("en")} requests (${Math.min(size.apps, size.requests).toLocaleString("en")} pending) over ${size.apps.toLocaleString("en")} apps in ${seconds.toFixed(1)} s`,
  );
  return seconds;
}
