import { sql } from "kysely";
import pg from "pg";
import { ensureSignInPartition } from "../../src/identity/activity/index.ts";
import type { IdentityDB } from "../../src/identity/db.ts";
import { type Database, openDatabase } from "../../src/platform/db/index.ts";
import { migrateAll } from "../../src/server/migrations.ts";

/** The tenant whose log is queried and exported; a tenth of the events belong to another. */
export const TENANT = "4b1d5f0e-8c0a-4f7e-9a57-0c9b8f6d2e11";
export const OTHER_TENANT = "9e2c7a41-3b5d-4c8e-a1f0-6d7e8f9a0b12";
export const BENCH_APP_ID = "3f9a2c1e-7b6d-4e5f-9a8b-1c2d3e4f5a6b";

/** How a seeded log is shaped: its size, how far back it goes, how many users sign in. */
export interface LogProfile {
  events: number;
  days: number;
  users: number;
}

/**
 * 1 million events: 30 days of 2,000 users (a user has a few events in any six hours). 10
 * million: a year of 20,000 users, in 13 monthly partitions: the longer history the issue asks
 * for, where a request id or correlation id lookup must look in every partition.
 */
export function profileOf(events: number): LogProfile {
  return events >= 5_000_000
    ? { events, days: 365, users: 20_000 }
    : { events, days: 30, users: 2_000 };
}

/** Event number g (1-based) of a seeded log: its time, user, ids, as the seed wrote them. */
export function seededEvent(profile: LogProfile, now: number, g: number) {
  const step = (profile.days * 86_400_000) / profile.events;
  return {
    tenantId: g % 10 === 0 ? OTHER_TENANT : TENANT,
    at: new Date(now - g * step),
    upn: `user${g % profile.users}@contoso.example`,
    requestId: `seed-${g}`,
    correlationId: `corr-${g}`,
  };
}

/** A scratch PostgreSQL database made from the admin URL, dropped by `drop()`. */
export async function scratchPostgres(adminUrl: string) {
  const name = `assent_bench_activity_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A fresh migrated database (PostgreSQL scratch database, or PGlite in memory) for `fn`. */
export async function withDatabase<T>(
  postgresAdminUrl: string | undefined,
  fn: (database: Database<IdentityDB>, url: string | undefined) => Promise<T>,
  options: { keep?: boolean; log?: (line: string) => void } = {},
): Promise<T> {
  const made = postgresAdminUrl ? await scratchPostgres(postgresAdminUrl) : undefined;
  const database = await openDatabase<IdentityDB>(
    made
      ? { kind: "postgres", url: made.url, poolMax: 10 }
      : { kind: "pglite", dataDir: undefined },
  );
  try {
    await migrateAll(database.db);
    return await fn(database, made?.url);
  } finally {
    await database.close();
    if (made && options.keep) options.log?.(`  kept the database ${made.url}`);
    else await made?.drop();
  }
}

/**
 * Seeds the profile's events with INSERT … SELECT generate_series, a million rows a statement,
 * into monthly partitions made first (none land in the default partition). Event g is
 * `seededEvent(profile, now, g)`; one in ten fails with 50126. Returns the seconds it took.
 */
export async function seedSignIns(
  database: Database<IdentityDB>,
  profile: LogProfile,
  now: Date,
  log: (line: string) => void,
): Promise<number> {
  const { db } = database;
  const oldest = new Date(now.getTime() - profile.days * 86_400_000);
  for (let m = 0; ; m++) {
    const month = new Date(Date.UTC(oldest.getUTCFullYear(), oldest.getUTCMonth() + m, 1));
    if (month > now) break;
    await ensureSignInPartition(db, month);
  }
  const started = performance.now();
  const stepSeconds = (profile.days * 86_400) / profile.events;
  for (let from = 0; from < profile.events; from += 1_000_000) {
    const to = Math.min(profile.events, from + 1_000_000);
    await sql`
      insert into identity.sign_in_events (tenant_id, created_at, request_id, correlation_id,
        event_type, is_interactive, user_principal_name, user_display_name, app_id,
        app_display_name, resource_id, ip_address, user_agent, client_app_used, status,
        error_code, additional_details)
      select case when g % 10 = 0 then ${OTHER_TENANT}::uuid else ${TENANT}::uuid end,
        date_trunc('milliseconds',
          ${now}::timestamptz - make_interval(secs => g * ${stepSeconds}::float8)),
        'seed-' || g, 'corr-' || g,
        case when g % 4 = 0 then 'servicePrincipal' else 'interactiveUser' end, g % 4 <> 0,
        'user' || (g % ${profile.users}) || '@contoso.example', 'Bench User',
        ${BENCH_APP_ID}, 'Bench App', 'api://assent-mail', '203.0.113.7',
        'Mozilla/5.0 bench', 'Browser',
        case when g % 10 = 3 then 'failure' else 'success' end,
        case when g % 10 = 3 then 50126 else 0 end, '{}'
      from generate_series(${from + 1}::int, ${to}::int) g`.execute(db);
    log(`  seeded ${to.toLocaleString("en")} events`);
  }
  await sql`analyze identity.sign_in_events`.execute(db);
  return (performance.now() - started) / 1000;
}

/** The profile and seeding time of a log `seedSignIns` wrote (for `--reuse`). */
export async function seededProfile(
  database: Database<IdentityDB>,
): Promise<{ profile: LogProfile; now: Date }> {
  const { rows } = await sql<{ events: number; first: Date }>`
    select (select count(*)::int from identity.sign_in_events) as events,
      (select created_at from identity.sign_in_events
       where tenant_id = ${TENANT} and request_id = 'seed-1') as first`.execute(database.db);
  const events = rows[0]?.events ?? 0;
  if (!rows[0]?.first || events === 0) throw new Error("no seeded sign-in log in that database");
  const profile = profileOf(events);
  const step = (profile.days * 86_400_000) / events;
  return { profile, now: new Date(rows[0].first.getTime() + step) };
}
