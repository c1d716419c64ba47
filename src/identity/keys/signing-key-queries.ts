import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { SigningAlg } from "./generate.ts";

export interface SigningKeyRow {
  kid: string;
  tenantId: string;
  alg: SigningAlg;
  /** The KeyRing envelope of the private JWK. */
  privateJwk: string;
  publicJwk: Record<string, unknown>;
  status: "active" | "retired";
  createdAt: Date;
  retiredAt: Date | null;
  publishedUntil: Date | null;
}

const COLUMNS = [
  "kid",
  "tenant_id",
  "alg",
  "private_jwk",
  "public_jwk",
  "status",
  "created_at",
  "retired_at",
  "published_until",
] as const;

function toRow(r: {
  kid: string;
  tenant_id: string;
  alg: SigningAlg;
  private_jwk: string;
  public_jwk: Record<string, unknown>;
  status: "active" | "retired";
  created_at: Date;
  retired_at: Date | null;
  published_until: Date | null;
}): SigningKeyRow {
  return {
    kid: r.kid,
    tenantId: r.tenant_id,
    alg: r.alg,
    privateJwk: r.private_jwk,
    publicJwk: r.public_jwk,
    status: r.status,
    createdAt: r.created_at,
    retiredAt: r.retired_at,
    publishedUntil: r.published_until,
  };
}

/** Inserts keys in one statement: they share one created_at (`now()` of the transaction). */
export async function insertSigningKeys(
  db: Kysely<IdentityDB>,
  tenantId: string,
  keys: Array<{
    kid: string;
    alg: SigningAlg;
    privateJwk: string;
    publicJwk: Record<string, unknown>;
  }>,
): Promise<void> {
  await db
    .insertInto("identity.signing_keys")
    .values(
      keys.map((k) => ({
        kid: k.kid,
        tenant_id: tenantId,
        alg: k.alg,
        private_jwk: k.privateJwk,
        public_jwk: JSON.stringify(k.publicJwk),
      })),
    )
    .execute();
}

// Order of publication: active before retired, newest first, RS256 before ES256 (the first
// key of an algorithm is the one oidc-provider signs with).
const ORDER = sql`case status when 'active' then 0 else 1 end, created_at desc,
  case alg when 'RS256' then 0 else 1 end, kid`;

/** Keys still published: every active key, and retired keys until their published_until. */
export async function selectPublishedKeys(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<SigningKeyRow[]> {
  const rows = await db
    .selectFrom("identity.signing_keys")
    .select(COLUMNS)
    .where("tenant_id", "=", tenantId)
    .where((eb) =>
      eb.or([
        eb("status", "=", "active"),
        eb.and([
          eb("published_until", "is not", null),
          eb("published_until", ">", sql<Date>`now()`),
        ]),
      ]),
    )
    .orderBy(ORDER)
    .execute();
  return rows.map(toRow);
}

/** Every key of the tenant, published or not. */
export async function selectAllKeys(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<SigningKeyRow[]> {
  const rows = await db
    .selectFrom("identity.signing_keys")
    .select(COLUMNS)
    .where("tenant_id", "=", tenantId)
    .orderBy(ORDER)
    .execute();
  return rows.map(toRow);
}

export async function countActiveKeys(db: Kysely<IdentityDB>, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom("identity.signing_keys")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("tenant_id", "=", tenantId)
    .where("status", "=", "active")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Retires every active key, published for `publishForSeconds` more; returns their kids. */
export async function retireActiveKeys(
  db: Kysely<IdentityDB>,
  tenantId: string,
  publishForSeconds: number,
): Promise<string[]> {
  const rows = await db
    .updateTable("identity.signing_keys")
    .set({
      status: "retired",
      retired_at: sql<Date>`now()`,
      published_until: sql<Date>`now() + make_interval(secs => ${publishForSeconds})`,
    })
    .where("tenant_id", "=", tenantId)
    .where("status", "=", "active")
    .returning("kid")
    .execute();
  return rows.map((r) => r.kid);
}

/**
 * A fingerprint of the tenant's key set: changes when a key is added or retired and when a
 * retired key stops being published.
 */
export async function selectKeysVersion(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<{ total: number; published: number; lastChange: Date | null }> {
  const result = await sql<{ total: number; published: number; last_change: Date | null }>`
    select count(*)::int as total,
      (count(*) filter (where status = 'active' or published_until > now()))::int as published,
      max(greatest(created_at, coalesce(retired_at, created_at))) as last_change
    from identity.signing_keys where tenant_id = ${tenantId}`.execute(db);
  const row = result.rows[0];
  return {
    total: Number(row?.total ?? 0),
    published: Number(row?.published ?? 0),
    lastChange: row?.last_change ? new Date(row.last_change) : null,
  };
}

/** Locks the tenant row for the transaction; false when the tenant does not exist. */
export async function lockTenant(db: Kysely<IdentityDB>, tenantId: string): Promise<boolean> {
  const row = await db
    .selectFrom("identity.tenants")
    .select("id")
    .where("id", "=", tenantId)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Bumps tenants.updated_at: per-tenant provider caches are keyed by it and rebuild. At least
 * one millisecond later than before, so a key compared as a JS Date always changes.
 */
export async function touchTenant(db: Kysely<IdentityDB>, tenantId: string): Promise<void> {
  await db
    .updateTable("identity.tenants")
    .set({
      updated_at: sql<Date>`greatest(clock_timestamp(), updated_at + interval '1 millisecond')`,
    })
    .where("id", "=", tenantId)
    .execute();
}
