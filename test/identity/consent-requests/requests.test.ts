import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { MAIL_APPLICATION_ID, MAIL_RESOURCE } from "../../../src/identity/apps/index.ts";
import { updateConsentSettings } from "../../../src/identity/consent/index.ts";
import {
  getAdminConsentRequestPolicy,
  getRequesterView,
  JUSTIFICATION_MAX_LENGTH,
  submitConsentRequest,
  withdrawConsentRequest,
} from "../../../src/identity/consent-requests/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { ask, auditEvents, outboxRows, seedWorkflow } from "./support.ts";

describe.each(["pglite", "postgres"] as const)(
  "consent requests (requester side) on %s",
  (kind) => {
    let t: TestDatabase | undefined;
    beforeAll(async () => {
      t = await openTestDatabase(kind);
    });
    afterAll(() => t?.close());

    it("reads the policy with its defaults and the workflow switch", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorkflow(t, "cr-policy");
      expect(await getAdminConsentRequestPolicy(t.database.db, w.tenant.id)).toEqual({
        isEnabled: true,
        reviewers: [
          { type: "user", id: w.reviewer.id },
          { type: "role", id: "cloud_application_administrator" },
        ],
        notifyReviewers: true,
        remindersEnabled: true,
        requestDurationInDays: 30,
      });
      expect(await getAdminConsentRequestPolicy(t.database.db, w.publisher.id)).toMatchObject({
        isEnabled: false,
        reviewers: [],
        requestDurationInDays: 30,
      });
    });

    it("creates one request, joins a second requester, and shows each their own entry", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorkflow(t, "cr-submit");
      const now = new Date();
      const first = await ask(
        t,
        w,
        w.megan,
        ["openid", "mail.read"],
        "  For the sales pipeline.  ",
        now,
      );
      expect(first.created).toBe(true);
      const second = await ask(t, w, w.nestor, ["Mail.Send"], "Me too", now);
      expect(second).toEqual({ requestId: first.requestId, created: false });
      // The same user again: the entry is updated (scopes merged), not duplicated.
      const again = await ask(t, w, w.megan, ["profile"], "Updated reason", now);
      expect(again).toEqual({ requestId: first.requestId, created: false });

      const view = await getRequesterView(t.database.db, {
        tenantId: w.tenant.id,
        requestId: first.requestId,
        userId: w.megan.id,
      });
      expect(view).toMatchObject({
        requestId: first.requestId,
        status: "pending",
        app: { id: w.app.id, appId: w.app.appId, publisherVerified: false },
        requester: {
          justification: "Updated reason",
          withdrawnAt: null,
          scopes: [
            {
              resourceAppId: MAIL_RESOURCE.appId,
              resourceDisplayName: "Assent Mail",
              scopes: ["openid", "Mail.Read", "profile"],
            },
          ],
        },
        decidedAt: null,
        reason: null,
        approvedForYou: null,
      });
      expect(view!.expiresAt.getTime() - view!.createdAt.getTime()).toBe(30 * 24 * 3600 * 1000);
      // Not a requester, or another tenant: nothing.
      expect(
        await getRequesterView(t.database.db, {
          tenantId: w.tenant.id,
          requestId: first.requestId,
          userId: w.reviewer.id,
        }),
      ).toBeUndefined();
      expect(
        await getRequesterView(t.database.db, {
          tenantId: w.publisher.id,
          requestId: first.requestId,
          userId: w.megan.id,
        }),
      ).toBeUndefined();

      const created = await auditEvents(t, w.tenant.id, "Create admin consent request");
      expect(created).toHaveLength(1);
      expect(created[0]!.actor).toMatchObject({ type: "user", id: w.megan.id });
      expect(created[0]!.additional_details).toMatchObject({ appId: w.app.appId });
      expect(created[0]!.modified_properties).toContainEqual({
        name: "Justification",
        oldValue: null,
        newValue: "For the sales pipeline.",
      });
      expect(await auditEvents(t, w.tenant.id, "Update admin consent request")).toHaveLength(2);
      // Reviewers are told once, through the worker (the job commits with the request).
      expect(await outboxRows(t, w.tenant.id, "consent_request.notify")).toHaveLength(1);
    });

    it("refuses a bad justification, unknown scopes, a disabled workflow and a blocked app", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorkflow(t, "cr-refuse");
      for (const justification of ["   ", "x".repeat(JUSTIFICATION_MAX_LENGTH + 1)])
        await expect(ask(t, w, w.megan, ["Mail.Read"], justification)).rejects.toMatchObject({
          status: 400,
          code: "consent_request.invalid_justification",
        });
      await expect(ask(t, w, w.megan, ["Mail.Fly"])).rejects.toMatchObject({
        status: 400,
        code: "consent_request.unknown_scope",
      });
      await expect(ask(t, w, w.megan, [])).rejects.toMatchObject({
        code: "consent_request.no_scopes",
      });
      await expect(
        submitConsentRequest(t.database.db, {
          tenantId: w.tenant.id,
          clientApplicationId: w.app.id,
          userId: w.megan.id,
          justification: "x",
          requested: [{ resourceApplicationId: w.tenant.id, scopes: ["a"] }],
        }),
      ).rejects.toMatchObject({ code: "consent_request.unknown_resource" });
      // A user of another tenant cannot ask here.
      await expect(
        submitConsentRequest(t.database.db, {
          tenantId: w.publisher.id,
          clientApplicationId: w.app.id,
          userId: w.megan.id,
          justification: "x",
          requested: [{ resourceApplicationId: MAIL_APPLICATION_ID, scopes: ["Mail.Read"] }],
        }),
      ).rejects.toMatchObject({ status: 409, code: "consent_request.workflow_disabled" });
      await updateConsentSettings(
        t.database.db,
        w.tenant.id,
        { adminConsentWorkflowEnabled: false },
        CLI_ACTOR,
      );
      await expect(ask(t, w, w.megan)).rejects.toMatchObject({
        status: 409,
        code: "consent_request.workflow_disabled",
      });
    });

    it("withdraws one entry, then the whole request when the last requester leaves", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorkflow(t, "cr-withdraw");
      const { requestId } = await ask(t, w, w.megan);
      await ask(t, w, w.nestor);
      const input = { tenantId: w.tenant.id, requestId };
      const mine = await withdrawConsentRequest(t.database.db, { ...input, userId: w.megan.id });
      expect(mine.status).toBe("pending");
      expect(mine.requester.withdrawnAt).toBeInstanceOf(Date);
      // Twice: the same answer, nothing more.
      expect(
        (await withdrawConsentRequest(t.database.db, { ...input, userId: w.megan.id })).status,
      ).toBe("pending");
      const last = await withdrawConsentRequest(t.database.db, { ...input, userId: w.nestor.id });
      expect(last.status).toBe("withdrawn");
      expect(last.decidedAt).toBeInstanceOf(Date);
      await expect(
        withdrawConsentRequest(t.database.db, { ...input, userId: w.reviewer.id }),
      ).rejects.toMatchObject({ status: 404, code: "consent_request.not_found" });
      const events = await auditEvents(t, w.tenant.id, "Withdraw admin consent request");
      expect(events).toHaveLength(2);
      // Asking again after the request closed opens a new one.
      const next = await ask(t, w, w.megan);
      expect(next.created).toBe(true);
      expect(next.requestId).not.toBe(requestId);
    });

    it("lets a withdrawn requester rejoin, and refuses withdrawing a closed request", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorkflow(t, "cr-rejoin");
      const now = new Date();
      const { requestId } = await ask(t, w, w.megan, ["Mail.Read"], "x", now);
      await ask(t, w, w.nestor, ["Mail.Read"], "x", now);
      await withdrawConsentRequest(t.database.db, {
        tenantId: w.tenant.id,
        requestId,
        userId: w.megan.id,
      });
      const back = await ask(t, w, w.megan, ["Mail.Read"], "Back again");
      expect(back.requestId).toBe(requestId);
      const view = await getRequesterView(t.database.db, {
        tenantId: w.tenant.id,
        requestId,
        userId: w.megan.id,
      });
      expect(view?.requester.withdrawnAt).toBeNull();
      // After expiry (by the clock), withdrawing is refused.
      const later = new Date(now.getTime() + 31 * 24 * 3600 * 1000);
      await expect(
        withdrawConsentRequest(
          t.database.db,
          { tenantId: w.tenant.id, requestId, userId: w.megan.id },
          later,
        ),
      ).rejects.toMatchObject({ status: 409, code: "consent_request.not_pending" });
    });
  },
);
