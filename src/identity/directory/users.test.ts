import type { Kysely } from "kysely";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../../../test/support/databases.ts";
import { CLI_ACTOR } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import {
  authenticate,
  createDirectory,
  type Directory,
  findUserByUpn,
  getUser,
  listUsers,
} from "./index.ts";

const PASSWORD = "correct horse battery staple";

async function activities(db: Kysely<IdentityDB>, tenantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("identity.audit_events")
    .select("activity")
    .where("tenant_id", "=", tenantId)
    .orderBy("seq")
    .execute();
  return rows.map((r) => r.activity);
}

async function countUsers(db: Kysely<IdentityDB>, tenantId: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int n from identity.users where tenant_id = ${tenantId}`.execute(db);
  return r.rows[0]?.n ?? -1;
}

describe.each(["pglite", "postgres"] as const)("directory users on %s", (kind) => {
  let t: TestDatabase | undefined;
  let directory: Directory;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (t) directory = createDirectory({ database: t.database });
  });
  afterAll(() => t?.close());

  const tenant = (slug: string) => directory.tenants.create({ slug, displayName: slug }, CLI_ACTOR);

  it("stores the user principal name lower-cased, finds it in any case, and never returns the hash", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const contoso = await tenant("users-upn");
    const ada = await directory.users.create(
      contoso.id,
      {
        userPrincipalName: "  Ada.Lovelace@Contoso.COM ",
        displayName: "Ada Lovelace",
        password: PASSWORD,
      },
      CLI_ACTOR,
    );
    expect(ada).toMatchObject({
      tenantId: contoso.id,
      userPrincipalName: "ada.lovelace@contoso.com",
      displayName: "Ada Lovelace",
      enabled: true,
      hasPassword: true,
    });
    expect(Object.keys(ada).sort()).toEqual([
      "createdAt",
      "displayName",
      "enabled",
      "hasPassword",
      "id",
      "tenantId",
      "updatedAt",
      "userPrincipalName",
    ]);
    expect(await getUser(db, contoso.id, ada.id)).toEqual(ada);
    expect(await findUserByUpn(db, contoso.id, "ADA.LOVELACE@contoso.com")).toEqual(ada);
    expect(await listUsers(db, contoso.id)).toEqual([ada]);
    // The stored hash is argon2id, and nothing in the audit log carries it or the password.
    const stored = await db
      .selectFrom("identity.users")
      .select("password_hash")
      .where("id", "=", ada.id)
      .executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    const audit = await db
      .selectFrom("identity.audit_events")
      .selectAll()
      .where("tenant_id", "=", contoso.id)
      .execute();
    expect(JSON.stringify(audit)).not.toMatch(/argon2|correct horse/);
    expect(await activities(db, contoso.id)).toEqual(["Add tenant", "Add user"]);
  });

  it("refuses a duplicate user principal name in the tenant, whatever its case", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const a = await tenant("users-dup-a");
    const b = await tenant("users-dup-b");
    await directory.users.create(
      a.id,
      { userPrincipalName: "bob@fabrikam.com", displayName: "Bob" },
      CLI_ACTOR,
    );
    await expect(
      directory.users.create(
        a.id,
        { userPrincipalName: "BOB@Fabrikam.com", displayName: "Bob 2" },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ status: 409, code: "user.duplicate_upn" });
    expect(await countUsers(db, a.id)).toBe(1);
    expect(await activities(db, a.id)).toEqual(["Add tenant", "Add user"]);
    // The same name in another tenant is another user.
    await directory.users.create(
      b.id,
      { userPrincipalName: "bob@fabrikam.com", displayName: "Bob" },
      CLI_ACTOR,
    );
    expect(await countUsers(db, b.id)).toBe(1);
  });

  it("refuses malformed user principal names and writes nothing", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const c = await tenant("users-malformed");
    for (const upn of [
      "ada",
      "ada@",
      "@contoso.com",
      "ada@contoso",
      "ada lovelace@contoso.com",
      "ada@@contoso.com",
      "ada..l@contoso.com",
      "ada@contoso..com",
      `${"a".repeat(65)}@contoso.com`,
      `ada@${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(63)}.${"g".repeat(63)}.com`,
    ])
      await expect(
        directory.users.create(c.id, { userPrincipalName: upn, displayName: "X" }, CLI_ACTOR),
        upn,
      ).rejects.toMatchObject({ status: 400, code: "user.invalid_upn" });
    await expect(
      directory.users.create(
        c.id,
        { userPrincipalName: "x@contoso.com", displayName: " " },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ status: 400, code: "user.invalid_name" });
    await expect(
      directory.users.create(
        "nope",
        { userPrincipalName: "x@contoso.com", displayName: "X" },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ status: 404, code: "tenant.not_found" });
    expect(await countUsers(db, c.id)).toBe(0);
    expect(await activities(db, c.id)).toEqual(["Add tenant"]);
  });

  it("refuses weak passwords, naming why, and writes nothing", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await tenant("users-weak");
    const cases: Array<[string, RegExp]> = [
      ["short", /at least 12 characters/],
      ["aaaaaaaaaaaaaaaa", /repeat one character/],
      ["xx-lovelace-2024-xx", /user name/],
      ["my grace hopper pass", /user name/],
      ["password123456", /too common/],
    ];
    for (const [password, why] of cases) {
      const attempt = directory.users.create(
        w.id,
        { userPrincipalName: "Lovelace@contoso.com", displayName: "Grace Hopper", password },
        CLI_ACTOR,
      );
      await expect(attempt, password).rejects.toMatchObject({
        status: 400,
        code: "user.weak_password",
      });
      await expect(attempt, password).rejects.toThrow(why);
    }
    expect(await countUsers(db, w.id)).toBe(0);
  });

  it("authenticates, and tells unknown user, wrong password, disabled and no password apart", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const s = await tenant("users-signin");
    const other = await tenant("users-signin-other");
    const ada = await directory.users.create(
      s.id,
      { userPrincipalName: "ada@contoso.com", displayName: "Ada", password: PASSWORD },
      CLI_ACTOR,
    );
    const nopw = await directory.users.create(
      s.id,
      { userPrincipalName: "nopw@contoso.com", displayName: "No Password" },
      CLI_ACTOR,
    );
    expect(nopw.hasPassword).toBe(false);

    expect(await authenticate(db, s.id, "ADA@contoso.com", PASSWORD)).toEqual({
      ok: true,
      user: ada,
    });
    expect(await authenticate(db, s.id, "ada@contoso.com", "wrong password!!")).toEqual({
      ok: false,
      reason: "wrong_password",
    });
    expect(await authenticate(db, s.id, "nobody@contoso.com", PASSWORD)).toEqual({
      ok: false,
      reason: "unknown_user",
    });
    expect(await authenticate(db, s.id, "not an email", PASSWORD)).toEqual({
      ok: false,
      reason: "unknown_user",
    });
    expect(await authenticate(db, other.id, "ada@contoso.com", PASSWORD)).toEqual({
      ok: false,
      reason: "unknown_user",
    });
    expect(await authenticate(db, "not-a-uuid", "ada@contoso.com", PASSWORD)).toEqual({
      ok: false,
      reason: "unknown_user",
    });
    expect(await authenticate(db, s.id, "nopw@contoso.com", PASSWORD)).toEqual({
      ok: false,
      reason: "no_password",
    });

    const disabled = await directory.users.disable(s.id, ada.id, CLI_ACTOR);
    expect(disabled.enabled).toBe(false);
    // Disabling again changes nothing and records nothing.
    expect((await directory.users.disable(s.id, ada.id, CLI_ACTOR)).enabled).toBe(false);
    expect(await authenticate(db, s.id, "ada@contoso.com", PASSWORD)).toEqual({
      ok: false,
      reason: "disabled",
    });
    // The disabled state is only revealed to someone who knows the password.
    expect(await authenticate(db, s.id, "ada@contoso.com", "wrong password!!")).toEqual({
      ok: false,
      reason: "wrong_password",
    });
    await directory.users.enable(s.id, ada.id, CLI_ACTOR);
    expect((await authenticate(db, s.id, "ada@contoso.com", PASSWORD)).ok).toBe(true);
    expect(await activities(db, s.id)).toEqual([
      "Add tenant",
      "Add user",
      "Add user",
      "Disable account",
      "Enable account",
    ]);
    await expect(directory.users.disable(other.id, ada.id, CLI_ACTOR)).rejects.toMatchObject({
      status: 404,
      code: "user.not_found",
    });
  });

  it("sets a password after refusing weak ones; the old one stops working", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const p = await tenant("users-setpw");
    const other = await tenant("users-setpw-other");
    const u = await directory.users.create(
      p.id,
      { userPrincipalName: "turing@contoso.com", displayName: "Alan Turing", password: PASSWORD },
      CLI_ACTOR,
    );
    await expect(
      directory.users.setPassword(p.id, u.id, "turing-machine-1936", CLI_ACTOR),
    ).rejects.toMatchObject({
      code: "user.weak_password",
    });
    expect((await authenticate(db, p.id, "turing@contoso.com", PASSWORD)).ok).toBe(true);
    const next = "enigma was broken at bletchley";
    await directory.users.setPassword(p.id, u.id, next, CLI_ACTOR);
    expect((await authenticate(db, p.id, "turing@contoso.com", next)).ok).toBe(true);
    expect(await authenticate(db, p.id, "turing@contoso.com", PASSWORD)).toEqual({
      ok: false,
      reason: "wrong_password",
    });
    await expect(
      directory.users.setPassword(other.id, u.id, next, CLI_ACTOR),
    ).rejects.toMatchObject({
      code: "user.not_found",
    });
    expect(await activities(db, p.id)).toEqual(["Add tenant", "Add user", "Reset user password"]);
    expect(await getUser(db, other.id, u.id)).toBeUndefined();
    expect(await getUser(db, p.id, "not-a-uuid")).toBeUndefined();
  });
});
