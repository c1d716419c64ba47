import { randomBytes } from "node:crypto";
import { compactVerify, importJWK, type JWK, SignJWT } from "jose";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../../../test/support/databases.ts";
import { KeyRing } from "../../platform/crypto/index.ts";
import type { IdentityDB } from "../db.ts";
import {
  createTenantSigningKeys,
  ensureTenantSigningKeys,
  listSigningKeys,
  loadSigningJwks,
  rotateSigningKeys,
  tenantKeysVersion,
} from "./index.ts";

async function newTenant(db: Kysely<IdentityDB>, slug: string): Promise<string> {
  const row = await db
    .insertInto("identity.tenants")
    .values({ slug, display_name: slug })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function updatedAt(db: Kysely<IdentityDB>, tenantId: string): Promise<Date> {
  const row = await db
    .selectFrom("identity.tenants")
    .select("updated_at")
    .where("id", "=", tenantId)
    .executeTakeFirstOrThrow();
  return row.updated_at;
}

async function signAndVerify(privateJwk: JWK, publicJwk: JWK): Promise<void> {
  const alg = privateJwk.alg!;
  const jwt = await new SignJWT({ sub: "x" })
    .setProtectedHeader({ alg, kid: privateJwk.kid! })
    .sign(await importJWK(privateJwk, alg));
  await compactVerify(jwt, await importJWK(publicJwk, alg));
}

const PRIVATE_PARTS = ["d", "p", "q", "dp", "dq", "qi"];

describe.each(["pglite", "postgres"] as const)("tenant signing keys on %s", (kind) => {
  let t: TestDatabase | undefined;
  const keyRing = new KeyRing([randomBytes(32)]);
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(() => t?.close());

  it("creates an RS256 and an ES256 key, encrypted at rest, that sign and verify", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenantId = await newTenant(db, "keys-create");
    await t.database.transaction((trx) => createTenantSigningKeys(trx, keyRing, tenantId));
    const rows = await db
      .selectFrom("identity.signing_keys")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .orderBy("alg", "desc")
      .execute();
    expect(rows.map((r) => [r.alg, r.status])).toEqual([
      ["RS256", "active"],
      ["ES256", "active"],
    ]);
    for (const row of rows) {
      expect(row.private_jwk).toMatch(/^v1\./);
      expect(row.private_jwk).not.toContain('"d":');
      expect(() => JSON.parse(row.private_jwk)).toThrow();
      for (const part of PRIVATE_PARTS) expect(row.public_jwk).not.toHaveProperty(part);
      expect(row.public_jwk).toMatchObject({ kid: row.kid, alg: row.alg, use: "sig" });
      expect(row.kid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    }
    const jwks = await loadSigningJwks(db, keyRing, tenantId);
    expect(jwks.keys.map((k) => [k.alg, k.kty, k.use])).toEqual([
      ["RS256", "RSA", "sig"],
      ["ES256", "EC", "sig"],
    ]);
    const rsa = jwks.keys[0]!;
    expect(Buffer.from(rsa.n!, "base64url").length * 8).toBe(2048);
    for (const key of jwks.keys) {
      expect(key.d).toBeTypeOf("string");
      const row = rows.find((r) => r.kid === key.kid)!;
      await signAndVerify(key, row.public_jwk as JWK);
    }
    // The ciphertext is bound to its tenant and kid: moved to another row, it does not decrypt.
    const [a, b] = rows;
    await db
      .updateTable("identity.signing_keys")
      .set({ private_jwk: a!.private_jwk })
      .where("kid", "=", b!.kid)
      .execute();
    await expect(loadSigningJwks(db, keyRing, tenantId)).rejects.toThrow(
      /cannot decrypt signing key/,
    );
    // And another key ring cannot read them at all.
    await db
      .updateTable("identity.signing_keys")
      .set({ private_jwk: b!.private_jwk })
      .where("kid", "=", b!.kid)
      .execute();
    await expect(loadSigningJwks(db, new KeyRing([randomBytes(32)]), tenantId)).rejects.toThrow(
      /ASSENT_SECRET_KEY/,
    );
  });

  it("ensures keys idempotently, also when callers race and for the system tenant", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenantId = await newTenant(db, "keys-ensure");
    const before = await updatedAt(db, tenantId);
    await Promise.all([1, 2, 3].map(() => ensureTenantSigningKeys(db, keyRing, tenantId)));
    await ensureTenantSigningKeys(db, keyRing, tenantId);
    expect((await listSigningKeys(db, tenantId)).map((k) => k.status)).toEqual([
      "active",
      "active",
    ]);
    expect((await updatedAt(db, tenantId)).getTime()).toBeGreaterThan(before.getTime());

    const system = await db
      .selectFrom("identity.tenants")
      .select("id")
      .where("is_system", "=", true)
      .executeTakeFirstOrThrow();
    await ensureTenantSigningKeys(db, keyRing, system.id);
    expect((await loadSigningJwks(db, keyRing, system.id)).keys).toHaveLength(2);
    await expect(
      ensureTenantSigningKeys(db, keyRing, "6a1d2c3e-0000-4000-8000-000000000000"),
    ).rejects.toMatchObject({ status: 404, code: "tenant.not_found" });
  });

  it("rotates: new keys sign, old keys stay published until published_until, the tenant is touched", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenantId = await newTenant(db, "keys-rotate");
    await ensureTenantSigningKeys(db, keyRing, tenantId);
    const old = (await loadSigningJwks(db, keyRing, tenantId)).keys.map((k) => k.kid);
    const version0 = await tenantKeysVersion(db, tenantId);
    const touched0 = await updatedAt(db, tenantId);

    const { added, retired } = await rotateSigningKeys(db, keyRing, tenantId);
    expect(retired.sort()).toEqual([...old].sort());
    expect(added).toHaveLength(2);
    const jwks = await loadSigningJwks(db, keyRing, tenantId);
    // Active first (RS256 then ES256), then the retired ones, still published.
    expect(jwks.keys.map((k) => [added.includes(k.kid!) ? "new" : "old", k.alg])).toEqual([
      ["new", "RS256"],
      ["new", "ES256"],
      ["old", "RS256"],
      ["old", "ES256"],
    ]);
    expect((await updatedAt(db, tenantId)).getTime()).toBeGreaterThan(touched0.getTime());
    const version1 = await tenantKeysVersion(db, tenantId);
    expect(version1).not.toBe(version0);

    const listed = await listSigningKeys(db, tenantId);
    const retiredInfo = listed.filter((k) => k.status === "retired");
    expect(retiredInfo).toHaveLength(2);
    for (const k of retiredInfo) {
      expect(k.published).toBe(true);
      const hours = (k.publishedUntil!.getTime() - k.retiredAt!.getTime()) / 3_600_000;
      expect(hours).toBeCloseTo(24, 5);
    }
    expect(JSON.stringify(listed)).not.toContain('"d"');

    // Once published_until passes, the old keys leave the JWKS and the version changes.
    await db
      .updateTable("identity.signing_keys")
      .set({ published_until: new Date(Date.now() - 1000) })
      .where("kid", "in", retired)
      .execute();
    expect((await loadSigningJwks(db, keyRing, tenantId)).keys.map((k) => k.kid)).toEqual(
      (await listSigningKeys(db, tenantId)).filter((k) => k.status === "active").map((k) => k.kid),
    );
    expect(await tenantKeysVersion(db, tenantId)).not.toBe(version1);

    const events = await db
      .selectFrom("identity.audit_events")
      .select("activity")
      .where("tenant_id", "=", tenantId)
      .execute();
    expect(events.map((e) => e.activity)).toEqual(["Rotate signing keys"]);
  });

  it("withdraws the old keys at once with publishOldFor 0, and refuses a bad period", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenantId = await newTenant(db, "keys-revoke");
    await ensureTenantSigningKeys(db, keyRing, tenantId);
    const { added } = await rotateSigningKeys(db, keyRing, tenantId, { publishOldFor: 0 });
    expect((await loadSigningJwks(db, keyRing, tenantId)).keys.map((k) => k.kid).sort()).toEqual(
      [...added].sort(),
    );
    for (const publishOldFor of [-1, 1.5, 91 * 86_400])
      await expect(
        rotateSigningKeys(db, keyRing, tenantId, { publishOldFor }),
      ).rejects.toMatchObject({
        status: 400,
        code: "signing_key.invalid_publish_period",
      });
  });
});
