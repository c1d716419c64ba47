import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measureDecisions } from "../../bench/data-scale/decision.ts";
import { formatDataScale } from "../../bench/data-scale/index.ts";
import { LISTING_CASES, measureListing } from "../../bench/data-scale/listing.ts";
import {
  type DecisionSize,
  type RequestSize,
  requesterCountOf,
  seedDecisionData,
  seedRequestData,
  TENANT,
} from "../../bench/data-scale/seed.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";

/**
 * The data-scale benchmark's seeds (bench/data-scale, issue 10) at a tiny size: they write the
 * counts asked for, and the measurements run over them — every seeded case gets the decision it
 * stands for (the run checks that) and every listing case returns a full page with a next one.
 * No timing is asserted: speed is measured by `npm run bench` only.
 */
const DECISION: DecisionSize = { users: 200, groups: 10, apps: 40, grants: 2_000 };
const REQUESTS: RequestSize = { users: 1_200, groups: 4, apps: 60, requests: 120 };

async function count(t: TestDatabase, table: string, where = sql``): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from ${sql.table(`identity.${table}`)}
    where tenant_id = ${TENANT} ${where}`.execute(t.database.db);
  return rows[0]?.n ?? -1;
}

describe.each(["pglite", "postgres"] as const)("the data-scale seeds on %s", (kind) => {
  describe("the consent decision's world", () => {
    let t: TestDatabase | undefined;
    beforeAll(async () => {
      t = await openTestDatabase(kind);
      if (t) await seedDecisionData(t.database, DECISION, () => {});
    });
    afterAll(async () => {
      await t?.close();
    });

    it("has the users, apps and grants asked for", async (ctx) => {
      if (!t) return ctx.skip();
      expect(await count(t, "users")).toBe(200);
      expect(await count(t, "group_members")).toBe(200);
      expect(await count(t, "applications")).toBe(40);
      expect(await count(t, "service_principals")).toBe(40);
      expect(await count(t, "oauth2_permission_grants")).toBe(2_000);
      expect(
        await count(t, "oauth2_permission_grants", sql`and consent_type = 'AllPrincipals'`),
      ).toBe(4);
      expect(await count(t, "oauth2_permission_grants", sql`and consent_type = 'Groups'`)).toBe(4);
      expect(await count(t, "service_principals", sql`and blocked`)).toBe(2);
      expect(await count(t, "app_role_assignments")).toBe(2);
    });

    it("decides every kind of request as seeded, warm and cold", async (ctx) => {
      if (!t) return ctx.skip();
      const { warm, cold } = await measureDecisions(
        t.database,
        DECISION,
        { warm: 100, cold: 100, workingSet: 20 },
        () => {},
      );
      for (const r of [warm, cold]) {
        expect(r.samples).toHaveLength(100);
        expect(r.kinds.get("granted")).toBeGreaterThan(0);
        expect(r.kinds.get("app_disabled")).toBeGreaterThan(0);
      }
    });
  });

  describe("the admin consent requests", () => {
    let t: TestDatabase | undefined;
    beforeAll(async () => {
      t = await openTestDatabase(kind);
      if (t) await seedRequestData(t.database, REQUESTS, new Date(), () => {});
    });
    afterAll(async () => {
      await t?.close();
    });

    it("has one pending request an app and the requesters each names", async (ctx) => {
      if (!t) return ctx.skip();
      expect(await count(t, "consent_requests")).toBe(120);
      expect(await count(t, "consent_requests", sql`and status = 'pending'`)).toBe(60);
      let requesters = 0;
      for (let r = 0; r < 120; r++) requesters += requesterCountOf(r);
      expect(await count(t, "consent_request_requesters")).toBe(requesters);
      const { rows } = await sql<{ bad: number }>`
        select count(*)::int as bad from identity.consent_requests q
        where q.requester_count <> (select count(*) from identity.consent_request_requesters r
          where r.request_id = q.id)`.execute(t.database.db);
      expect(rows[0]?.bad).toBe(0);
    });

    it("lists a full first and deep page in every case", async (ctx) => {
      if (!t) return ctx.skip();
      const results = await measureListing(t.database, 1, () => {});
      expect(results.map((r) => r.case.name)).toEqual(LISTING_CASES.map((c) => c.name));
      expect(formatDataScale([])).toContain("| scenario |");
    });
  });
});
