import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/index.ts";
import {
  checkClientSecret,
  findApplicationByAppId,
  findServicePrincipal,
  grantedAppRoleValues,
  listRequiredPermissions,
  MAIL_APPLICATION_ID,
} from "../../src/identity/apps/index.ts";
import type { IdentityDB } from "../../src/identity/db.ts";
import { type DatabaseTarget, openDatabase } from "../../src/platform/db/index.ts";
import { migrateAll } from "../../src/server/migrations.ts";
import { createScratchPostgres, postgresReachable } from "../support/databases.ts";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(env: Record<string, string>, ...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "assent", ...args], {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    readSecret: async () => {
      throw new Error("no secret expected");
    },
    env,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

function json<T = Record<string, unknown>>(r: Run): T {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** Runs `fn` against the same database the CLI uses, then closes it (PGlite is single-process). */
async function withDb<T>(
  target: DatabaseTarget,
  fn: (db: import("kysely").Kysely<IdentityDB>) => Promise<T>,
): Promise<T> {
  const database = await openDatabase<IdentityDB>(target);
  try {
    await migrateAll(database.db);
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

async function seedTenant(target: DatabaseTarget, slug: string): Promise<string> {
  return withDb(target, async (db) => {
    const row = await db
      .insertInto("identity.tenants")
      .values({ slug, display_name: slug })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

describe("app, sp and keys commands on PostgreSQL", () => {
  let env: Record<string, string> | undefined;
  let target: DatabaseTarget;
  let drop = async () => {};
  let dataDir = "";

  beforeAll(async () => {
    if (!(await postgresReachable()) && !process.env.CI && !process.env.ASSENT_REQUIRE_POSTGRES)
      return;
    const scratch = await createScratchPostgres();
    drop = scratch.drop;
    dataDir = mkdtempSync(join(tmpdir(), "assent-apps-cli-"));
    env = { DATABASE_URL: scratch.url, ASSENT_DATA_DIR: dataDir, LOG_LEVEL: "silent" };
    target = { kind: "postgres", url: scratch.url };
  });
  afterAll(async () => {
    await drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("registers an app, adds a secret and permissions, grants an app role, manages the enterprise app", async (ctx) => {
    if (!env) return ctx.skip();
    const tenantId = await seedTenant(target, "contoso");

    const created = json<{ appId: string; id: string; redirectUris: string[] }>(
      await run(
        env,
        "app",
        "create",
        "Contoso CRM",
        "--tenant",
        "contoso",
        "--multi-tenant",
        "--redirect-uri",
        "https://crm.contoso.com/cb",
        "http://localhost:3000/cb",
        "--json",
      ),
    );
    expect(created.redirectUris).toEqual([
      "https://crm.contoso.com/cb",
      "http://localhost:3000/cb",
    ]);
    const { appId } = created;

    const refused = await run(env, "app", "add-redirect", appId, "http://crm.contoso.com/other");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^assent: The redirect URI .* must use https/);
    expect(refused.stderr.split("\n")).toHaveLength(1);
    expect(
      (await run(env, "app", "add-redirect", appId, "https://crm.contoso.com/other")).code,
    ).toBe(0);

    const secretRun = await run(env, "app", "add-secret", appId, "--name", "CI", "--json");
    const secret = json<{ secret: string; hint: string }>(secretRun);
    expect(secretRun.stderr).toMatch(/will not be shown again/);
    expect(secret.hint).toBe(secret.secret.slice(0, 3));
    const human = await run(env, "app", "add-secret", appId, "--expires-in-days", "30");
    expect(human.code).toBe(0);
    const humanSecret = human.stdout.split("\n")[1]!;
    const tooLong = await run(env, "app", "add-secret", appId, "--expires-in-days", "1000");
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/1 to 730 days/);

    expect(
      (await run(env, "app", "require-permission", appId, "mail", "Mail.Read")).stdout,
    ).toMatch(/now requires the delegated permission api:\/\/assent-mail\/Mail\.Read/);
    expect(
      (
        await run(
          env,
          "app",
          "require-permission",
          appId,
          "api://assent-mail",
          "Mail.Read.All",
          "--role",
        )
      ).code,
    ).toBe(0);
    const unknown = await run(env, "app", "require-permission", appId, "api://nowhere", "X");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No resource "api:\/\/nowhere"/);

    const scope = json(
      await run(
        env,
        "app",
        "expose-scope",
        appId,
        "Notes.Read",
        "--admin-description",
        "Read notes.",
        "--json",
      ),
    );
    expect(scope).toMatchObject({ value: "Notes.Read", adminConsentRequired: false });
    expect(
      json(
        await run(env, "app", "verify-publisher", appId, "--publisher", "Contoso Ltd", "--json"),
      ),
    ).toMatchObject({ publisherDisplayName: "Contoso Ltd", publisherVerified: true });

    const list = json<Array<{ appId: string }>>(
      await run(env, "app", "list", "--tenant", "contoso", "--json"),
    );
    expect(list.map((a) => a.appId)).toEqual([appId]);
    const shown = await run(env, "app", "show", appId);
    expect(shown.stdout).toContain("Mail.Read (delegated)");
    expect(shown.stdout).not.toContain(secret.secret);

    expect(
      (
        await run(
          env,
          "sp",
          "assign-role",
          "mail",
          "--tenant",
          "contoso",
          "--client",
          appId,
          "--role",
          "Mail.Read.All",
        )
      ).code,
    ).toBe(0);
    const spSet = json(
      await run(
        env,
        "sp",
        "set",
        "mail",
        "--tenant",
        "contoso",
        "--enabled",
        "false",
        "--notes",
        "blocked",
        "--json",
      ),
    );
    expect(spSet).toMatchObject({
      accountEnabled: false,
      notes: "blocked",
      appRoleAssignmentRequired: false,
    });
    const badBool = await run(
      env,
      "sp",
      "set",
      "mail",
      "--tenant",
      "contoso",
      "--enabled",
      "maybe",
    );
    expect(badBool.code).toBe(2);
    expect(badBool.stderr).toMatch(/true or false/);
    const spList = await run(env, "sp", "list", "--tenant", "contoso");
    expect(spList.stdout).toMatch(/Assent Mail/);
    expect(spList.stdout).toMatch(/Contoso CRM/);

    const noTenant = await run(env, "app", "list", "--tenant", "nowhere");
    expect(noTenant.code).toBe(1);
    expect(noTenant.stderr).toMatch(/No tenant "nowhere"/);
    const noApp = await run(env, "app", "add-secret", "not-an-app");
    expect(noApp.code).toBe(1);
    expect(noApp.stderr).toMatch(/No application "not-an-app"/);

    await withDb(target, async (db) => {
      const app = (await findApplicationByAppId(db, appId))!;
      expect(app.redirectUris).toHaveLength(3);
      expect(await checkClientSecret(db, app.id, secret.secret)).toBe("valid");
      expect(await checkClientSecret(db, app.id, humanSecret)).toBe("valid");
      expect((await listRequiredPermissions(db, app.id)).map((p) => p.value).sort()).toEqual([
        "Mail.Read",
        "Mail.Read.All",
      ]);
      const clientSp = (await findServicePrincipal(db, tenantId, app.id))!;
      expect(await grantedAppRoleValues(db, tenantId, clientSp.id, MAIL_APPLICATION_ID)).toEqual([
        "Mail.Read.All",
      ]);
      expect((await findServicePrincipal(db, tenantId, MAIL_APPLICATION_ID))?.accountEnabled).toBe(
        false,
      );
    });
  });

  it("rotates and lists signing keys without ever printing a private key", async (ctx) => {
    if (!env) return ctx.skip();
    await seedTenant(target, "keys-tenant");
    const first = json<{ added: string[]; retired: string[] }>(
      await run(env, "keys", "rotate", "--tenant", "keys-tenant", "--json"),
    );
    expect(first.added).toHaveLength(2);
    expect(first.retired).toEqual([]);
    const second = json<{ added: string[]; retired: string[] }>(
      await run(env, "keys", "rotate", "--tenant", "keys-tenant", "--json"),
    );
    expect(second.retired.sort()).toEqual([...first.added].sort());
    const listed = await run(env, "keys", "list", "--tenant", "keys-tenant", "--json");
    const keys =
      json<Array<{ kid: string; alg: string; status: string; publishedUntil: string | null }>>(
        listed,
      );
    expect(keys.map((k) => [k.status, k.alg])).toEqual([
      ["active", "RS256"],
      ["active", "ES256"],
      ["retired", "RS256"],
      ["retired", "ES256"],
    ]);
    expect(listed.stdout).not.toMatch(/"d"|private/i);
    const human = await run(env, "keys", "list", "--tenant", "keys-tenant");
    expect(human.stdout).toMatch(/KID\s+ALG\s+STATUS\s+CREATED\s+PUBLISHED UNTIL/);
    expect(human.stdout).toContain(second.added[0]!);
    const bad = await run(
      env,
      "keys",
      "rotate",
      "--tenant",
      "keys-tenant",
      "--publish-old-for",
      "soon",
    );
    expect(bad.code).toBe(2);
  });
});

describe("app and keys commands on the embedded database", () => {
  let dataDir = "";
  afterAll(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("registers an app with a secret and rotates keys on PGlite", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "assent-apps-cli-pglite-"));
    const env = { ASSENT_DATA_DIR: dataDir, LOG_LEVEL: "silent" };
    const target: DatabaseTarget = { kind: "pglite", dataDir: join(dataDir, "pglite") };
    await seedTenant(target, "fabrikam");
    const created = json<{ appId: string }>(
      await run(env, "app", "create", "Fabrikam Mail", "--tenant", "fabrikam", "--json"),
    );
    const secret = json<{ secret: string }>(
      await run(env, "app", "add-secret", created.appId, "--json"),
    );
    const rotated = json<{ added: string[] }>(
      await run(env, "keys", "rotate", "--tenant", "fabrikam", "--json"),
    );
    expect(rotated.added).toHaveLength(2);
    await withDb(target, async (db) => {
      const app = (await findApplicationByAppId(db, created.appId))!;
      expect(await checkClientSecret(db, app.id, secret.secret)).toBe("valid");
      const keys = await db.selectFrom("identity.signing_keys").select("private_jwk").execute();
      expect(keys).toHaveLength(2);
      for (const k of keys) expect(k.private_jwk).not.toContain('"d":');
    });
  });
});
