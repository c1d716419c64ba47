import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLI_ACTOR,
  createSignInRecorder,
  getActivityRetention,
  listSignInPartitions,
  PURGE_ACTIVITY,
  purgeActivity,
  setActivityRetention,
  verifyAuditChain,
} from "../../../src/identity/activity/index.ts";
import { createDirectory, type Tenant } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";

const DAY = 86_400_000;

describe.each(["pglite", "postgres"] as const)("activity retention on %s", (kind) => {
  let t: TestDatabase | undefined;
  const tenants: Record<"short" | "usual" | "long", Tenant> = {} as never;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    const directory = createDirectory({ database: t.database });
    for (const name of ["short", "usual", "long"] as const)
      tenants[name] = await directory.tenants.create(
        { slug: `keep-${name}`, displayName: name },
        CLI_ACTOR,
      );
  });
  afterAll(() => t?.close());

  it("stores retention per tenant, 90 days unless set, and refuses nonsense", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    expect(await getActivityRetention(db, tenants.usual.id)).toBe(90);
    await setActivityRetention(db, tenants.short.id, 30, CLI_ACTOR);
    await setActivityRetention(db, tenants.long.id, 200, CLI_ACTOR);
    expect(await getActivityRetention(db, tenants.short.id)).toBe(30);
    await expect(setActivityRetention(db, tenants.short.id, 0, CLI_ACTOR)).rejects.toMatchObject({
      status: 400,
      code: "activity.invalid_retention",
    });
    await expect(setActivityRetention(db, tenants.short.id, 1.5, CLI_ACTOR)).rejects.toMatchObject({
      code: "activity.invalid_retention",
    });
    const audit = await db
      .selectFrom("identity.audit_events")
      .select(["activity", "modified_properties"])
      .where("tenant_id", "=", tenants.long.id)
      .where("activity", "=", "Update log retention")
      .executeTakeFirstOrThrow();
    expect(audit.modified_properties).toEqual([
      { name: "RetentionDays", oldValue: 90, newValue: 200 },
    ]);
  });

  it("purges old audit events so that the remaining chain still verifies", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const chainOf = async (tenant: Tenant) =>
      (await verifyAuditChain(db, tenant.id)) as { intact: boolean; events: number };
    const shortBefore = await chainOf(tenants.short);
    const usualBefore = await chainOf(tenants.usual);
    expect(shortBefore).toMatchObject({ intact: true });
    expect(shortBefore.events).toBeGreaterThan(1);

    // Sixty days on: past the short tenant's 30 days, within everyone else's.
    const report = await purgeActivity(db, new Date(Date.now() + 60 * DAY));
    expect(report.deletedAuditEvents).toBe(shortBefore.events - 1);
    const remaining = await db
      .selectFrom("identity.audit_events")
      .select(["activity", "additional_details"])
      .where("tenant_id", "=", tenants.short.id)
      .orderBy("seq")
      .execute();
    // The newest entry stays (the chain goes on from it), then the purge's own record.
    expect(remaining.map((r) => r.activity)).toEqual(["Update log retention", PURGE_ACTIVITY]);
    expect(remaining[1]!.additional_details).toMatchObject({
      purgedEvents: shortBefore.events - 1,
      retentionDays: 30,
    });
    expect(await verifyAuditChain(db, tenants.short.id)).toEqual({ intact: true, events: 2 });
    expect(await verifyAuditChain(db, tenants.usual.id)).toEqual(usualBefore);
  });

  it("purges only sign-ins older than their tenant's retention, dropping whole old months", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const now = new Date("2027-06-15T00:00:00.000Z");
    const recorder = createSignInRecorder({ db, logger: pino({ level: "silent" }) });
    const ages = [10, 40, 100, 250];
    for (const [name, tenant] of Object.entries(tenants))
      for (const age of ages)
        recorder.record({
          tenantId: tenant.id,
          requestId: `${name}-${age}d`,
          createdAt: new Date(now.getTime() - age * DAY),
          eventType: "interactiveUser",
          status: "success",
        });
    expect(await recorder.flush()).toBe(true);
    await recorder.close();
    // A stray old event in the default partition (its month had no partition).
    await db
      .insertInto("identity.sign_in_events")
      .values({
        tenant_id: tenants.long.id,
        created_at: new Date("2019-01-01T00:00:00.000Z"),
        request_id: "long-ancient",
        event_type: "servicePrincipal",
        is_interactive: false,
        status: "success",
        additional_details: "{}",
      })
      .execute();

    const report = await purgeActivity(db, now);
    // Longest retention is 200 days (2026-11-27): every month ending before it goes whole.
    expect(report.droppedPartitions).toContain("sign_in_events_p2026_10");
    expect(report.droppedPartitions).not.toContain("sign_in_events_p2026_11");
    expect(report.createdPartitions).toEqual(
      expect.arrayContaining(["sign_in_events_p2027_07", "sign_in_events_p2027_08"]),
    );
    const left = await sql<{ request_id: string }>`
      select request_id from identity.sign_in_events order by request_id`.execute(db);
    expect(left.rows.map((r) => r.request_id).sort()).toEqual(
      ["long-10d", "long-40d", "long-100d", "short-10d", "usual-10d", "usual-40d"].sort(),
    );
    expect(report.deletedSignIns).toBe(4); // short-40d, short-100d, usual-100d, long-ancient
    const partitions = (await listSignInPartitions(db)).map((p) => p.name);
    expect(partitions).not.toContain("sign_in_events_p2026_10");
    expect(partitions).toContain("sign_in_events_p2027_08");

    // Running it again changes nothing.
    const again = await purgeActivity(db, now);
    expect(again).toMatchObject({ droppedPartitions: [], deletedSignIns: 0 });
  });
});
