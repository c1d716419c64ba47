import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { sql } from "kysely";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  type Application,
  addClientSecret,
  assignAppRole,
  createApplication,
  ensureServicePrincipal,
  MAIL_APPLICATION_ID,
  MAIL_SCOPE_IDS,
} from "../../../src/identity/apps/index.ts";
import { grantDelegatedPermissions } from "../../../src/identity/consent/index.ts";
import type { IdentityDB } from "../../../src/identity/db.ts";
import { createDirectory, type Tenant, type User } from "../../../src/identity/directory/index.ts";
import { signingKeysOnTenantCreated } from "../../../src/identity/keys/index.ts";
import { KeyRing, parseKey } from "../../../src/platform/crypto/index.ts";
import { type Database, openDatabase } from "../../../src/platform/db/index.ts";
import { migrateAll } from "../../../src/server/migrations.ts";
import type { TestDatabase } from "../../support/databases.ts";
import { freePort, type Spawned, spawnAssent } from "../../support/processes.ts";

/**
 * Shared pieces of the reliability suites (`npm run test:reliability`): the short or long form,
 * Identity nodes as real `assent serve identity` processes, a seeded tenant, and the protocol
 * flows driven over real HTTP.
 */

/** `ASSENT_RELIABILITY=short` (the default under CI) or the long form. */
export const SHORT =
  (process.env.ASSENT_RELIABILITY ?? (process.env.CI ? "short" : "long")) === "short";

/** The suite's one-line result, printed for the CI log. */
export function report(suite: string, line: string): void {
  process.stdout.write(`[reliability] ${suite} (${SHORT ? "short" : "long"}): ${line}\n`);
}

export const PASSWORD = "correct horse battery staple";
export const REDIRECT_URI = "http://127.0.0.1:9/callback";

/** Polls `check` until true; outcomes, never timing, are asserted. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 60_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

export interface IdentityNode {
  url: string;
  process: Spawned;
  /** SIGTERM and wait (a clean stop). */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing flushed. */
  kill(): Promise<void>;
}

/** Environment shared by every node of one world: the database and the secret key. */
export interface NodeEnv {
  DATABASE_URL?: string;
  ASSENT_DATA_DIR: string;
  ASSENT_SECRET_KEY: string;
  [name: string]: string | undefined;
}

/** `assent serve identity` as a real process, on a free port, its public URL its own. */
export async function startIdentityNode(env: NodeEnv): Promise<IdentityNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const vars: Record<string, string> = {
    LOG_LEVEL: "warn",
    ASSENT_IDENTITY_PORT: String(port),
    ASSENT_IDENTITY_URL: url,
    ASSENT_MAIL_SMTP_PORT: "0",
  };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) vars[k] = v;
  const spawned = spawnAssent(["serve", "identity"], vars);
  await spawned.waitFor(/Assent is running/, 120_000);
  return {
    url,
    process: spawned,
    async stop() {
      if (spawned.child.exitCode === null) spawned.child.kill("SIGTERM");
      await spawned.exited;
    },
    async kill() {
      if (spawned.child.exitCode === null) spawned.child.kill("SIGKILL");
      await spawned.exited;
    },
  };
}

/** A fresh 32-byte secret key, as ASSENT_SECRET_KEY takes it. */
export function secretKey(): string {
  return randomBytes(32).toString("base64");
}

export function keyRingOf(key: string): KeyRing {
  return new KeyRing([parseKey(key)]);
}

/** The database opened from the test process (to seed and to check rows), migrated. */
export async function openWorldDatabase(url: string): Promise<TestDatabase> {
  const database: Database<IdentityDB> = await openDatabase<IdentityDB>({
    kind: "postgres",
    url,
    poolMax: 4,
  });
  await migrateAll(database.db);
  return { database, target: { kind: "postgres", url }, close: () => database.close() };
}

export interface World {
  tenant: Tenant;
  users: User[];
  spa: Application;
  web: Application;
  webSecret: string;
  /** `${base}/${tenantId}`: the tenant's OAuth endpoints hang below it. */
  tenantPath: (base: string) => string;
}

/**
 * A tenant with signing keys (encrypted under `key`), `userCount` users with one password, a
 * public client and a confidential client, both consented tenant-wide for Assent Mail.
 */
export async function seedWorld(
  t: TestDatabase,
  key: string,
  slug: string,
  userCount = 4,
): Promise<World> {
  const { db } = t.database;
  const directory = createDirectory({
    database: t.database,
    onTenantCreated: [signingKeysOnTenantCreated(keyRingOf(key))],
  });
  const tenant = await directory.tenants.create({ slug, displayName: `${slug} Ltd` }, CLI_ACTOR);
  const users: User[] = [];
  for (let i = 0; i < userCount; i++)
    users.push(
      await directory.users.create(
        tenant.id,
        {
          userPrincipalName: `user${i}@${slug}.example`,
          displayName: `User ${i}`,
          password: PASSWORD,
        },
        CLI_ACTOR,
      ),
    );
  const spa = await createApplication(
    db,
    tenant.id,
    { displayName: "Reliability SPA", isPublicClient: true, redirectUris: [REDIRECT_URI] },
    CLI_ACTOR,
  );
  const web = await createApplication(
    db,
    tenant.id,
    { displayName: "Reliability Web", redirectUris: [REDIRECT_URI] },
    CLI_ACTOR,
  );
  for (const app of [spa, web])
    await grantDelegatedPermissions(
      db,
      tenant.id,
      {
        clientApplicationId: app.id,
        resourceApplicationId: MAIL_APPLICATION_ID,
        scopes: Object.keys(MAIL_SCOPE_IDS),
        consentType: "AllPrincipals",
      },
      CLI_ACTOR,
    );
  const { secret } = await addClientSecret(db, tenant.id, web.id, { displayName: "r" }, CLI_ACTOR);
  const sp = await ensureServicePrincipal(db, tenant.id, web.id);
  await assignAppRole(
    db,
    tenant.id,
    {
      resourceApplicationId: MAIL_APPLICATION_ID,
      principalType: "ServicePrincipal",
      principalId: sp.id,
      roleValue: "Mail.Read.All",
    },
    CLI_ACTOR,
  );
  return {
    tenant,
    users,
    spa,
    web,
    webSecret: secret,
    tenantPath: (base) => `${base}/${tenant.id}`,
  };
}

/** Unfinished (neither completed nor dead) outbox jobs, the recurring slots aside. */
export async function unfinishedJobs(t: TestDatabase): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from identity.outbox
    where completed_at is null and dead_at is null
      and kind not in ('oidc.purge', 'activity.purge', 'consent_request.sweep')`.execute(
    t.database.db,
  );
  return Number(r.rows[0]?.n ?? 0);
}
