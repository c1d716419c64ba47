import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/context.ts";
import { main } from "../../src/cli/index.ts";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import type { IdentityDB } from "../../src/identity/db.ts";
import { authenticate, resolveTenant } from "../../src/identity/directory/index.ts";
import { type Database, openDatabase } from "../../src/platform/db/index.ts";
import { createScratchPostgres, postgresReachable } from "../support/databases.ts";

const PASSWORD = "correct horse battery staple";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** The prompts readSecret was called with, in order. */
  prompts: string[];
}

/** Runs `assent ...args` in-process with captured output and a readSecret that answers `secret`. */
async function run(env: Record<string, string>, args: string[], secret = PASSWORD): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const prompts: string[] = [];
  const io: CliIo = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    readSecret: async (prompt) => {
      prompts.push(prompt);
      return secret;
    },
    env,
  };
  const code = await main(["node", "assent", ...args], io);
  return { code, stdout: out.join("\n"), stderr: err.join("\n"), prompts };
}

/** What most commands print with --json: one object with an id. */
interface Printed {
  id: string;
  [key: string]: unknown;
}

function json<T = Printed>(r: Run): T {
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

const requirePostgres = Boolean(process.env.CI || process.env.ASSENT_REQUIRE_POSTGRES);

describe("assent directory commands on postgres", () => {
  let env: Record<string, string> | undefined;
  let database: Database<IdentityDB>;
  let dataDir: string;
  let drop = async () => {};
  beforeAll(async () => {
    if (!requirePostgres && !(await postgresReachable())) return;
    const scratch = await createScratchPostgres();
    drop = scratch.drop;
    dataDir = mkdtempSync(join(tmpdir(), "assent-cli-"));
    env = { DATABASE_URL: scratch.url, ASSENT_DATA_DIR: dataDir, LOG_LEVEL: "silent" };
    database = await openDatabase<IdentityDB>({ kind: "postgres", url: scratch.url });
  });
  afterAll(async () => {
    await database?.close();
    await drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Row counts of everything the directory writes, to prove a refusal wrote nothing. */
  async function snapshot() {
    const r = await sql<Record<string, number>>`
      select
        (select count(*)::int from identity.tenants) tenants,
        (select count(*)::int from identity.tenant_domains) domains,
        (select count(*)::int from identity.users) users,
        (select count(*)::int from identity.groups) groups,
        (select count(*)::int from identity.group_members) members,
        (select count(*)::int from identity.directory_role_assignments) roles,
        (select count(*)::int from identity.audit_events) events`.execute(database.db);
    return r.rows[0];
  }

  it("creates a tenant, a domain, users, a group and roles, printing JSON with --json", async (ctx) => {
    if (!env) return ctx.skip();
    const tenant = json(
      await run(env, ["tenant", "create", "contoso", "--name", "Contoso Ltd", "--json"]),
    );
    expect(tenant).toMatchObject({ slug: "contoso", displayName: "Contoso Ltd" });
    // The same tenant-creation hooks as the server: the new tenant has its signing keys.
    const keys = await sql<{ alg: string }>`
      select alg from identity.signing_keys where tenant_id = ${(tenant as { id: string }).id} order by alg`.execute(
      database.db,
    );
    expect(keys.rows.map((k) => k.alg)).toEqual(["ES256", "RS256"]);
    const listed = json<Array<{ slug: string }>>(await run(env, ["--json", "tenant", "list"]));
    expect(listed.map((x) => x.slug)).toContain("contoso");

    const human = await run(env, ["domain", "add", "Contoso.COM", "--tenant", "contoso"]);
    expect(human).toMatchObject({ code: 0, stderr: "" });
    expect(human.stdout).toBe("Added verified domain contoso.com to tenant contoso.");

    // The password comes from readSecret, never from argv; the tenant by its domain works too.
    const created = await run(env, [
      "user",
      "create",
      "Ada@Contoso.com",
      "--tenant",
      "CONTOSO.COM",
      "--name",
      "Ada Lovelace",
      "--json",
    ]);
    expect(created.prompts).toEqual(["Password: "]);
    const ada = json(created);
    expect(ada).toMatchObject({ userPrincipalName: "ada@contoso.com", hasPassword: true });
    expect((await authenticate(database.db, tenant.id, "ada@contoso.com", PASSWORD)).ok).toBe(true);

    const nopw = await run(env, [
      "user",
      "create",
      "grace@contoso.com",
      "--tenant",
      tenant.id,
      "--name",
      "Grace Hopper",
      "--no-password",
    ]);
    expect(nopw.code).toBe(0);
    expect(nopw.prompts).toEqual([]);
    expect(nopw.stdout).toMatch(
      /no password: set one with "assent user set-password grace@contoso.com/,
    );

    const users = json<Array<Record<string, unknown>>>(
      await run(env, ["user", "list", "--tenant", "contoso", "--json"]),
    );
    expect(users.map((u) => u.userPrincipalName)).toEqual(["ada@contoso.com", "grace@contoso.com"]);
    expect(JSON.stringify(users)).not.toMatch(/argon2|password_hash|passwordHash/);

    const group = json(
      await run(env, [
        "group",
        "create",
        "Sales",
        "--tenant",
        "contoso",
        "--description",
        "Sellers",
        "--json",
      ]),
    );
    expect(group).toMatchObject({ displayName: "Sales", description: "Sellers" });
    expect(
      json(
        await run(env, [
          "group",
          "add-member",
          "Sales",
          "ADA@contoso.com",
          "--tenant",
          "contoso",
          "--json",
        ]),
      ),
    ).toMatchObject({ groupId: group.id, userId: ada.id, member: true });
    expect(
      (
        await run(env, [
          "group",
          "add-member",
          group.id,
          "grace@contoso.com",
          "--tenant",
          "contoso",
        ])
      ).stdout,
    ).toBe('Added grace@contoso.com to group "Sales".');

    expect(
      (
        await run(env, [
          "role",
          "assign",
          "Global Administrator",
          "ada@contoso.com",
          "--tenant",
          "contoso",
        ])
      ).stdout,
    ).toBe("Assigned Global Administrator to ada@contoso.com.");
    expect(
      (
        await run(env, [
          "role",
          "assign",
          "REPORTS_READER",
          "grace@contoso.com",
          "--tenant",
          "contoso",
        ])
      ).code,
    ).toBe(0);
    const roles = json<Array<{ role: string; userPrincipalName: string }>>(
      await run(env, ["role", "list", "--tenant", "contoso", "--json"]),
    );
    expect(roles.map((r) => [r.role, r.userPrincipalName])).toEqual([
      ["global_administrator", "ada@contoso.com"],
      ["reports_reader", "grace@contoso.com"],
    ]);

    expect(
      (await run(env, ["user", "disable", "ada@contoso.com", "--tenant", "contoso"])).stdout,
    ).toBe("Disabled ada@contoso.com.");
    expect(await authenticate(database.db, tenant.id, "ada@contoso.com", PASSWORD)).toEqual({
      ok: false,
      reason: "disabled",
    });
    expect(
      json(await run(env, ["user", "enable", "ada@contoso.com", "--tenant", "contoso", "--json"])),
    ).toMatchObject({ enabled: true });

    const newPassword = "the analytical engine weaves";
    const reset = await run(
      env,
      ["user", "set-password", "grace@contoso.com", "--tenant", "contoso"],
      newPassword,
    );
    expect(reset).toMatchObject({
      code: 0,
      prompts: ["New password: "],
      stdout: "Password set for grace@contoso.com.",
    });
    expect((await authenticate(database.db, tenant.id, "grace@contoso.com", newPassword)).ok).toBe(
      true,
    );

    const events = await database.db
      .selectFrom("identity.audit_events")
      .select(["activity", "actor"])
      .where("tenant_id", "=", tenant.id)
      .orderBy("seq")
      .execute();
    expect(events.map((e) => e.activity)).toEqual([
      "Add tenant",
      "Add verified domain",
      "Add user",
      "Add user",
      "Add group",
      "Add member to group",
      "Add member to group",
      "Add member to role",
      "Add member to role",
      "Disable account",
      "Enable account",
      "Reset user password",
    ]);
    expect(events.map((e) => e.actor)).toEqual(events.map(() => CLI_ACTOR));
  });

  it("refuses bad input with one clear line and a non-zero exit, writing nothing", async (ctx) => {
    if (!env) return ctx.skip();
    const e = env;
    await run(e, ["tenant", "create", "fabrikam", "--name", "Fabrikam"]);
    await run(e, ["tenant", "create", "northwind", "--name", "Northwind"]);
    await run(e, ["domain", "add", "fabrikam.com", "--tenant", "fabrikam"]);
    await run(e, ["user", "create", "bob@fabrikam.com", "--tenant", "fabrikam", "--name", "Bob"]);
    await run(e, ["group", "create", "Ops", "--tenant", "fabrikam"]);
    const before = await snapshot();

    const cases: Array<[string[], RegExp, string?]> = [
      [
        ["user", "list", "--tenant", "nope"],
        /^assent: No tenant "nope": give a tenant's id, slug or one of its verified domains\.$/,
      ],
      [
        ["user", "list", "--tenant", "00000000-0000-0000-0000-000000000000"],
        /^assent: No tenant "00000000-/,
      ],
      [
        ["tenant", "create", "fabrikam", "--name", "Again"],
        /^assent: A tenant with the slug "fabrikam" already exists\. Choose another slug\.$/,
      ],
      [
        ["tenant", "create", "Bad Slug", "--name", "X"],
        /^assent: "Bad Slug" is not a valid tenant slug: /,
      ],
      [
        ["user", "create", "BOB@Fabrikam.com", "--tenant", "fabrikam", "--name", "Bob 2"],
        /^assent: A user "bob@fabrikam.com" already exists in this tenant\./,
      ],
      [
        ["domain", "add", "FABRIKAM.com", "--tenant", "northwind"],
        /^assent: The domain "fabrikam.com" belongs to another tenant: /,
      ],
      [
        ["domain", "add", "not a domain", "--tenant", "northwind"],
        /^assent: "not a domain" is not a valid domain name: /,
      ],
      [
        ["user", "create", "carol@fabrikam.com", "--tenant", "fabrikam", "--name", "Carol"],
        /^assent: The password is refused: it must be at least 12 characters long\.$/,
        "short",
      ],
      [
        ["user", "create", "carol@fabrikam.com", "--tenant", "fabrikam", "--name", "Carol"],
        /^assent: The password is refused: it must not contain your user name\.$/,
        "carol-secret-2024",
      ],
      [
        ["user", "set-password", "bob@fabrikam.com", "--tenant", "fabrikam"],
        /^assent: The password is refused: /,
        "short",
      ],
      [
        ["user", "create", "carol.fabrikam.com", "--tenant", "fabrikam", "--name", "Carol"],
        /^assent: "carol.fabrikam.com" is not a valid user principal name: use an email-shaped name such as ada@contoso\.com\.$/,
      ],
      [
        ["role", "assign", "emperor", "bob@fabrikam.com", "--tenant", "fabrikam"],
        /^assent: unknown role "emperor": use one of global_administrator \("Global Administrator"\), /,
      ],
      [
        ["group", "add-member", "Nope", "bob@fabrikam.com", "--tenant", "fabrikam"],
        /^assent: No group "Nope" in this tenant\.$/,
      ],
      [
        ["group", "add-member", "Ops", "nobody@fabrikam.com", "--tenant", "fabrikam"],
        /^assent: No user "nobody@fabrikam.com" in this tenant\.$/,
      ],
      [
        ["group", "add-member", "Ops", "bob@fabrikam.com", "--tenant", "northwind"],
        /^assent: No group "Ops" in this tenant\.$/,
      ],
      [
        ["role", "assign", "global_reader", "nobody@fabrikam.com", "--tenant", "fabrikam"],
        /^assent: No user "nobody@fabrikam.com" in this tenant\.$/,
      ],
      [
        ["user", "disable", "bob@fabrikam.com", "--tenant", "northwind"],
        /^assent: No user "bob@fabrikam.com" in this tenant\.$/,
      ],
      [
        ["group", "create", "Ops", "--tenant", "fabrikam"],
        /^assent: A group named "Ops" already exists in this tenant\./,
      ],
    ];
    for (const [args, message, secret] of cases) {
      for (const withJson of [false, true]) {
        const r = await run(e, withJson ? [...args, "--json"] : args, secret);
        const label = args.join(" ");
        expect(r.code, label).toBe(1);
        expect(r.stdout, label).toBe("");
        expect(r.stderr.split("\n"), label).toHaveLength(1);
        expect(r.stderr, label).toMatch(message);
      }
    }
    // A malformed name is refused before the person is asked for a password.
    expect(
      (await run(e, ["user", "create", "carol", "--tenant", "fabrikam", "--name", "C"])).prompts,
    ).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it("never takes a password from the command line", async (ctx) => {
    if (!env) return ctx.skip();
    await run(env, ["tenant", "create", "argv-test", "--name", "Argv"]);
    const before = await snapshot();
    const r = await run(env, [
      "user",
      "create",
      "eve@argv.example",
      "--tenant",
      "argv-test",
      "--name",
      "Eve",
      "--password",
      PASSWORD,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--password'/);
    expect(r.prompts).toEqual([]);
    expect(await snapshot()).toEqual(before);
    // The password read from the prompt appears in no output.
    const ok = await run(env, [
      "user",
      "create",
      "eve@argv.example",
      "--tenant",
      "argv-test",
      "--name",
      "Eve",
      "--json",
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain(PASSWORD);
    const tenant = await resolveTenant(database.db, "argv-test");
    expect((await authenticate(database.db, tenant!.id, "eve@argv.example", PASSWORD)).ok).toBe(
      true,
    );
  });
});

describe("assent directory commands on the embedded database", () => {
  // Each invocation opens and migrates PGlite on disk (seconds): a handful of runs only; the
  // wide bad-input coverage is above and in the service tests.
  let dataDir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "assent-cli-pglite-"));
    env = { ASSENT_DATA_DIR: dataDir, LOG_LEVEL: "silent" };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("creates a tenant and an administrator, refuses a duplicate, and lists roles", async () => {
    expect(
      json(await run(env, ["tenant", "create", "woodgrove", "--name", "Woodgrove Bank", "--json"])),
    ).toMatchObject({ slug: "woodgrove" });
    const created = await run(env, [
      "user",
      "create",
      "Admin@Woodgrove.example",
      "--tenant",
      "woodgrove",
      "--name",
      "Admin",
    ]);
    expect(created).toMatchObject({ code: 0, stderr: "", prompts: ["Password: "] });
    const duplicate = await run(env, [
      "user",
      "create",
      "admin@woodgrove.example",
      "--tenant",
      "woodgrove",
      "--name",
      "Again",
    ]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(
      /^assent: A user "admin@woodgrove.example" already exists in this tenant\./,
    );
    expect(
      (
        await run(env, [
          "role",
          "assign",
          "global_administrator",
          "admin@woodgrove.example",
          "--tenant",
          "woodgrove",
        ])
      ).code,
    ).toBe(0);
    const roles = json<Array<{ role: string; userPrincipalName: string }>>(
      await run(env, ["role", "list", "--tenant", "woodgrove", "--json"]),
    );
    expect(roles.map((r) => [r.role, r.userPrincipalName])).toEqual([
      ["global_administrator", "admin@woodgrove.example"],
    ]);
  });
});
