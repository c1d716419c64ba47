import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  getRequesterView,
  sweepConsentRequests,
  updateAdminConsentRequestPolicy,
} from "../../../src/identity/consent-requests/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { ask, auditEvents, outboxRows, seedWorkflow } from "./support.ts";

const links = { publicUrl: "https://id.contoso.test" };
const DAY = 24 * 3600 * 1000;

describe.each(["pglite", "postgres"] as const)(
  "consent request expiry and reminders on %s",
  (kind) => {
    let t: TestDatabase | undefined;
    beforeAll(async () => {
      t = await openTestDatabase(kind);
    });
    afterAll(() => t?.close());

    const emailsOf = async (tenantId: string, event: string) =>
      (await outboxRows(t!, tenantId, "email.send"))
        .filter((e) => e.dedupe_key?.includes(`:${event}:`))
        .map((e) => e.payload.to[0] as string)
        .sort();

    it("reminds reviewers once at the midpoint and expires once at the end, on a shortened clock", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorkflow(t, "ce-clock", { policy: { requestDurationInDays: 2 } });
      const t0 = new Date();
      const { requestId } = await ask(t, w, w.megan, ["Mail.Read"], "Need it", t0);
      await ask(t, w, w.nestor, ["Mail.Read"], "Me too", t0);
      const sweep = (at: number) =>
        sweepConsentRequests(t!.database.db, { links, now: new Date(t0.getTime() + at) });
      expect(await sweep(DAY / 2)).toEqual({ expired: 0, reminded: 0 });
      expect(await sweep(DAY + 1)).toEqual({ expired: 0, reminded: 1 });
      expect(await sweep(DAY + 2)).toEqual({ expired: 0, reminded: 0 });
      const reviewers = [w.reviewer.userPrincipalName, w.appAdmin.userPrincipalName].sort();
      expect(await emailsOf(w.tenant.id, "reminder")).toEqual(reviewers);
      // Two sweeps at once after the end (two nodes): the request expires once.
      const results = await Promise.all([sweep(2 * DAY), sweep(2 * DAY)]);
      expect(results.map((r) => r.expired).sort()).toEqual([0, 1]);
      expect(await sweep(3 * DAY)).toEqual({ expired: 0, reminded: 0 });
      const view = await getRequesterView(t.database.db, {
        tenantId: w.tenant.id,
        requestId,
        userId: w.megan.id,
      });
      expect(view?.status).toBe("expired");
      const [event] = await auditEvents(t, w.tenant.id, "Expire admin consent request");
      expect(event!.actor).toEqual({ type: "system", name: "assent-consent-requests" });
      expect(await auditEvents(t, w.tenant.id, "Expire admin consent request")).toHaveLength(1);
      expect(await emailsOf(w.tenant.id, "expired")).toEqual(
        [w.megan.userPrincipalName, w.nestor.userPrincipalName, ...reviewers].sort(),
      );
      // Asking again after expiry opens a new request.
      expect(
        (await ask(t, w, w.megan, ["Mail.Read"], "Again", new Date(t0.getTime() + 3 * DAY)))
          .created,
      ).toBe(true);
    });

    it("skips the reminder when reminders are off, and expires an overdue request when someone asks again", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorkflow(t, "ce-off", {
        policy: { requestDurationInDays: 1, remindersEnabled: false, notifyReviewers: false },
      });
      const t0 = new Date();
      const { requestId } = await ask(t, w, w.megan, ["Mail.Read"], "x", t0);
      expect(
        await sweepConsentRequests(t.database.db, {
          links,
          now: new Date(t0.getTime() + DAY / 2 + 1),
        }),
      ).toEqual({
        expired: 0,
        reminded: 0,
      });
      expect(await emailsOf(w.tenant.id, "reminder")).toEqual([]);
      // Past its end, before any sweep: the next ask expires it and opens a new request.
      const later = new Date(t0.getTime() + DAY + 1);
      const next = await ask(t, w, w.nestor, ["Mail.Read"], "y", later);
      expect(next.created).toBe(true);
      expect(next.requestId).not.toBe(requestId);
      const old = await getRequesterView(t.database.db, {
        tenantId: w.tenant.id,
        requestId,
        userId: w.megan.id,
      });
      expect(old?.status).toBe("expired");
      // Its emails go through a notification job (the pages have no public URL).
      const jobs = await outboxRows(t, w.tenant.id, "consent_request.notify");
      expect(jobs.map((j) => j.payload.event).sort()).toEqual(["expired"]);
      // The policy change applies to the next request at once.
      await updateAdminConsentRequestPolicy(
        t.database.db,
        w.tenant.id,
        { requestDurationInDays: 5 },
        CLI_ACTOR,
      );
      await sweepConsentRequests(t.database.db, {
        links,
        now: new Date(later.getTime() + 2 * DAY),
      });
      const third = await ask(
        t,
        w,
        w.megan,
        ["Mail.Read"],
        "z",
        new Date(later.getTime() + 2 * DAY),
      );
      const view = await getRequesterView(t.database.db, {
        tenantId: w.tenant.id,
        requestId: third.requestId,
        userId: w.megan.id,
      });
      expect(view!.expiresAt.getTime() - view!.createdAt.getTime()).toBe(5 * DAY);
    });
  },
);
