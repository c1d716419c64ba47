import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  approveConsentRequest,
  denyConsentRequest,
  getRequesterView,
} from "../../../src/identity/consent-requests/index.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { ask, auditEvents, outboxRows, seedWorkflow } from "./support.ts";

const links = { publicUrl: "https://id.contoso.test" };

describe.each(["pglite", "postgres"] as const)("consent request concurrency on %s", (kind) => {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(() => t?.close());

  it("makes one request with 50 requesters out of 50 simultaneous submits", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorkflow(t, "cc-fifty");
    const directory = createDirectory({ database: t.database });
    const users = [];
    for (let i = 0; i < 50; i++)
      users.push(
        await directory.users.create(
          w.tenant.id,
          { userPrincipalName: `user${i}@cc-fifty.example`, displayName: `User ${i}` },
          CLI_ACTOR,
        ),
      );
    const results = await Promise.all(
      users.map((u, i) =>
        ask(t!, w, u, i % 2 ? ["Mail.Read"] : ["openid", "Mail.Read"], `Reason ${i}`),
      ),
    );
    const ids = new Set(results.map((r) => r.requestId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const [requestId] = [...ids];
    const rows = await sql<{ status: string; requester_count: number; n: number }>`
      select r.status, r.requester_count,
        (select count(*)::int from identity.consent_request_requesters q where q.request_id = r.id) as n
      from identity.consent_requests r where r.tenant_id = ${w.tenant.id}`.execute(t.database.db);
    expect(rows.rows).toEqual([{ status: "pending", requester_count: 50, n: 50 }]);
    expect(await auditEvents(t, w.tenant.id, "Create admin consent request")).toHaveLength(1);
    expect(await auditEvents(t, w.tenant.id, "Update admin consent request")).toHaveLength(49);
    expect(await outboxRows(t, w.tenant.id, "consent_request.notify")).toHaveLength(1);
    const view = await getRequesterView(t.database.db, {
      tenantId: w.tenant.id,
      requestId: requestId!,
      userId: users[7]!.id,
    });
    expect(view?.requester.justification).toBe("Reason 7");
  });

  it("lets exactly one of a simultaneous approve and deny win; the other gets 409 naming the winner", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorkflow(t, "cc-race");
    for (let round = 0; round < 5; round++) {
      const { requestId } = await ask(t, w, w.megan);
      const [approve, deny] = await Promise.allSettled([
        approveConsentRequest(
          t.database.db,
          w.tenant.id,
          requestId,
          { kind: "user", userId: w.appAdmin.id },
          {},
          { links },
        ),
        denyConsentRequest(
          t.database.db,
          w.tenant.id,
          requestId,
          { kind: "user", userId: w.reviewer.id },
          "Not this one.",
          { links },
        ),
      ]);
      const outcomes = [approve.status, deny.status].sort();
      expect(outcomes).toEqual(["fulfilled", "rejected"]);
      const lost = (approve.status === "rejected" ? approve : deny) as PromiseRejectedResult;
      const winner = approve.status === "fulfilled" ? w.appAdmin : w.reviewer;
      expect(lost.reason).toMatchObject({
        status: 409,
        code: "consent_request.already_decided",
        message: expect.stringContaining(
          `${approve.status === "fulfilled" ? "approved" : "denied"} by ${winner.userPrincipalName}`,
        ),
      });
      const view = await getRequesterView(t.database.db, {
        tenantId: w.tenant.id,
        requestId,
        userId: w.megan.id,
      });
      expect(view?.status).toBe(approve.status === "fulfilled" ? "approved" : "denied");
      // The loser left nothing behind: one decision event, one requester email.
      const emails = (await outboxRows(t, w.tenant.id, "email.send")).filter((e) =>
        e.dedupe_key?.startsWith(`consent_request:${requestId}:`),
      );
      expect(emails).toHaveLength(1);
      if (approve.status === "fulfilled") {
        // Approved for everyone: the next round needs new scopes to ask for.
        await sql`delete from identity.oauth2_permission_grants where tenant_id = ${w.tenant.id}`.execute(
          t.database.db,
        );
      }
    }
    const decided =
      (await auditEvents(t, w.tenant.id, "Approve admin consent request")).length +
      (await auditEvents(t, w.tenant.id, "Deny admin consent request")).length;
    expect(decided).toBe(5);
  });
});
