import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditHash, CLI_ACTOR, verifyAuditChain } from "../../../src/identity/activity/index.ts";
import { createDirectory, type Tenant } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";

/** A tenant with a few users and a group: a chain of a dozen audit events. */
async function tenantWithHistory(t: TestDatabase, slug: string): Promise<Tenant> {
  const directory = createDirectory({ database: t.database });
  const tenant = await directory.tenants.create({ slug, displayName: slug }, CLI_ACTOR);
  const group = await directory.groups.create(tenant.id, { displayName: "Staff" }, CLI_ACTOR);
  for (const name of ["ada", "grace", "alan", "edsger", "barbara"]) {
    const user = await directory.users.create(
      tenant.id,
      { userPrincipalName: `${name}@${slug}.example`, displayName: name },
      CLI_ACTOR,
    );
    await directory.groups.addMember(tenant.id, group.id, user.id, CLI_ACTOR);
  }
  return tenant;
}

async function chain(t: TestDatabase, tenantId: string) {
  return t.database.db
    .selectFrom("identity.audit_events")
    .select(["seq", "id", "created_at", "hash", "prev_hash"])
    .where("tenant_id", "=", tenantId)
    .orderBy("seq")
    .execute();
}

describe.each(["pglite", "postgres"] as const)("audit chain verification on %s", (kind) => {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(() => t?.close());

  it("passes an untouched chain, then fails at the entry altered in the database", async (ctx) => {
    if (!t) return ctx.skip();
    const tenant = await tenantWithHistory(t, "chain-alter");
    const other = await tenantWithHistory(t, "chain-other");
    const links = await chain(t, tenant.id);
    expect(links.length).toBe(12);
    expect(await verifyAuditChain(t.database.db, tenant.id)).toEqual({ intact: true, events: 12 });

    const victim = links[6]!;
    await sql`update identity.audit_events set modified_properties = '[]'
      where seq = ${victim.seq}`.execute(t.database.db);
    const report = await verifyAuditChain(t.database.db, tenant.id);
    expect(report).toEqual({
      intact: false,
      events: 6,
      broken: {
        seq: victim.seq,
        id: victim.id,
        createdAt: victim.created_at,
        reason: "its content does not match its hash: the entry was altered",
      },
    });
    // Another tenant's chain is its own.
    expect(await verifyAuditChain(t.database.db, other.id)).toEqual({ intact: true, events: 12 });
  });

  it("fails at the next entry when the altered one's hash was recomputed too", async (ctx) => {
    if (!t) return ctx.skip();
    const tenant = await tenantWithHistory(t, "chain-rehash");
    const links = await chain(t, tenant.id);
    const victim = links[3]!;
    const row = await t.database.db
      .selectFrom("identity.audit_events")
      .selectAll()
      .where("seq", "=", victim.seq)
      .executeTakeFirstOrThrow();
    const forged = { ...row, activity: "Nothing happened" };
    const hash = auditHash(row.prev_hash, {
      tenant_id: forged.tenant_id,
      activity: forged.activity,
      category: forged.category,
      result: forged.result,
      actor: forged.actor,
      targets: forged.targets,
      modified_properties: forged.modified_properties,
      additional_details: forged.additional_details,
      correlation_id: forged.correlation_id,
      created_at: forged.created_at.toISOString(),
    });
    await sql`update identity.audit_events set activity = ${forged.activity}, hash = ${hash}
      where seq = ${victim.seq}`.execute(t.database.db);
    const report = await verifyAuditChain(t.database.db, tenant.id);
    expect(report.intact).toBe(false);
    if (report.intact) return;
    expect(report.broken.seq).toBe(links[4]!.seq);
    expect(report.broken.reason).toMatch(/prev_hash is not the previous entry's hash/);
  });

  it("notices a deleted entry, including the first one", async (ctx) => {
    if (!t) return ctx.skip();
    const middle = await tenantWithHistory(t, "chain-delete");
    const links = await chain(t, middle.id);
    await sql`delete from identity.audit_events where seq = ${links[5]!.seq}`.execute(
      t.database.db,
    );
    const report = await verifyAuditChain(t.database.db, middle.id);
    expect(report).toMatchObject({ intact: false, events: 5, broken: { seq: links[6]!.seq } });

    const first = await tenantWithHistory(t, "chain-delete-first");
    const firstLinks = await chain(t, first.id);
    await sql`delete from identity.audit_events where seq = ${firstLinks[0]!.seq}`.execute(
      t.database.db,
    );
    const start = await verifyAuditChain(t.database.db, first.id);
    expect(start).toMatchObject({ intact: false, events: 0, broken: { seq: firstLinks[1]!.seq } });
    if (!start.intact) expect(start.broken.reason).toMatch(/no retention purge accounts for it/);
  });
});
