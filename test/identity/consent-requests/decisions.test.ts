import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  findApplicationById,
  MAIL_APPLICATION_ID,
  MAIL_RESOURCE,
} from "../../../src/identity/apps/index.ts";
import {
  evaluateConsent,
  listDelegatedPermissionGrants,
} from "../../../src/identity/consent/index.ts";
import {
  approveConsentRequest,
  blockConsentRequest,
  type ConsentRequestViewer,
  denyConsentRequest,
  getConsentRequest,
  getRequesterView,
  listConsentRequests,
  unblockServicePrincipal,
  updateAdminConsentRequestPolicy,
} from "../../../src/identity/consent-requests/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { ask, auditEvents, outboxRows, seedWorkflow, type Workflow } from "./support.ts";

const links = { publicUrl: "https://id.contoso.test" };
const as = (user: { id: string }): ConsentRequestViewer => ({ kind: "user", userId: user.id });

describe.each(["pglite", "postgres"] as const)("consent request decisions on %s", (kind) => {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(() => t?.close());

  const decision = async (w: Workflow, userId: string, scopes: string[]) => {
    const application = (await findApplicationById(t!.database.db, w.app.id))!;
    return (
      await evaluateConsent(t!.database.db, {
        tenantId: w.tenant.id,
        application,
        userId,
        oidcScopes: [],
        resource: { identifierUri: MAIL_RESOURCE.identifierUri, scopes },
      })
    ).decision;
  };

  it("approves a subset for one group: a Groups grant that covers members only, with expiry", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorkflow(t, "cd-groups");
    const { requestId } = await ask(t, w, w.megan, ["Mail.Read", "Mail.Send"]);
    await ask(t, w, w.nestor, ["Mail.Read"]);
    const until = new Date(Date.now() + 7 * 24 * 3600 * 1000);
    const { grants } = await approveConsentRequest(
      t.database.db,
      w.tenant.id,
      requestId,
      as(w.appAdmin),
      {
        scopes: [{ resourceAppId: MAIL_RESOURCE.appId, scopes: ["mail.read"] }],
        audience: { type: "groups", ids: [w.sales.id] },
        until,
      },
      { links },
    );
    expect(grants).toHaveLength(1);
    expect(grants[0]!.grant).toMatchObject({
      consentType: "Groups",
      groupIds: [w.sales.id],
      scopes: ["Mail.Read"],
      resourceApplicationId: MAIL_APPLICATION_ID,
    });
    expect(grants[0]!.grant.expiresAt?.getTime()).toBe(until.getTime());
    // Megan (in Sales) now has it; Nestor does not and still needs approval.
    expect((await decision(w, w.megan.id, ["Mail.Read"])).kind).toBe("granted");
    expect((await decision(w, w.nestor.id, ["Mail.Read"])).kind).toBe("approval_required");
    const mine = await getRequesterView(t.database.db, {
      tenantId: w.tenant.id,
      requestId,
      userId: w.megan.id,
    });
    expect(mine).toMatchObject({ status: "approved", approvedForYou: true });
    const his = await getRequesterView(t.database.db, {
      tenantId: w.tenant.id,
      requestId,
      userId: w.nestor.id,
    });
    expect(his).toMatchObject({ status: "approved", approvedForYou: false });
    // Nestor asking again opens a new request.
    expect((await ask(t, w, w.nestor, ["Mail.Read"])).created).toBe(true);

    const [event] = await auditEvents(t, w.tenant.id, "Approve admin consent request");
    expect(event!.actor).toMatchObject({ type: "user", id: w.appAdmin.id });
    expect(event!.additional_details).toMatchObject({ appId: w.app.appId, requestId });
    expect(event!.modified_properties).toContainEqual({
      name: "Audience",
      oldValue: null,
      newValue: { type: "groups", ids: [w.sales.id] },
    });
    // Both requesters are emailed, each with their own message.
    const emails = await outboxRows(t, w.tenant.id, "email.send");
    const approved = emails.filter((e) => e.dedupe_key?.includes(":approved:"));
    expect(approved.map((e) => e.payload.to[0]).sort()).toEqual(
      [w.megan.userPrincipalName, w.nestor.userPrincipalName].sort(),
    );
    const meganMail = approved.find((e) => e.payload.to[0] === w.megan.userPrincipalName)!;
    expect(meganMail.payload.text).toContain("Try again");
    // The app name is escaped in the HTML part.
    expect(meganMail.payload.html).not.toContain("<script>");
    expect(meganMail.payload.html).toContain("&lt;script&gt;");
    const webhooks = await outboxRows(t, w.tenant.id, "webhook.deliver");
    expect(webhooks).toHaveLength(0); // no endpoint registered
  });

  it("approves everything for everyone, and for named users", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorkflow(t, "cd-all");
    const first = await ask(t, w, w.megan, ["Mail.Read"]);
    await approveConsentRequest(
      t.database.db,
      w.tenant.id,
      first.requestId,
      as(w.appAdmin),
      {},
      { links },
    );
    expect((await decision(w, w.nestor.id, ["Mail.Read"])).kind).toBe("granted");
    const second = await ask(t, w, w.megan, ["Mail.Send"]);
    const { grants } = await approveConsentRequest(
      t.database.db,
      w.tenant.id,
      second.requestId,
      as(w.appAdmin),
      { audience: { type: "users", ids: [w.megan.id, w.nestor.id] } },
      { links },
    );
    expect(grants.map((g) => [g.grant.consentType, g.grant.principalId]).sort()).toEqual(
      [
        ["Principal", w.megan.id],
        ["Principal", w.nestor.id],
      ].sort(),
    );
    const all = await listDelegatedPermissionGrants(t.database.db, w.tenant.id);
    expect(all.find((g) => g.consentType === "AllPrincipals")?.scopes).toEqual(["Mail.Read"]);
  });

  it("refuses non-reviewers (403), lets a reviewer without grant power deny but not approve", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorkflow(t, "cd-roles");
    const { requestId } = await ask(t, w, w.megan);
    // The Global Reader is not a reviewer; the designated user reviewer holds no role.
    await expect(
      denyConsentRequest(t.database.db, w.tenant.id, requestId, as(w.reader), "no", { links }),
    ).rejects.toMatchObject({ status: 403, code: "consent_request.not_reviewer" });
    const detail = await getConsentRequest(t.database.db, w.tenant.id, requestId, as(w.reviewer));
    expect(detail.viewer).toMatchObject({
      isReviewer: true,
      canApprove: false,
      canDeny: true,
      canBlock: true,
    });
    expect(detail.viewer.cannotApproveReason).toMatch(/Mail\.Read.*deny or block/);
    expect(detail.scopeDiff).toEqual([
      expect.objectContaining({
        resourceAppId: MAIL_RESOURCE.appId,
        new: ["openid", "Mail.Read"],
        alreadyGranted: [],
      }),
    ]);
    await expect(
      approveConsentRequest(t.database.db, w.tenant.id, requestId, as(w.reviewer), {}, { links }),
    ).rejects.toMatchObject({ status: 403, code: "consent_request.cannot_approve" });
    // A subset that was not requested, a past end, an empty reason: 400.
    await expect(
      approveConsentRequest(
        t.database.db,
        w.tenant.id,
        requestId,
        as(w.appAdmin),
        { scopes: [{ resourceAppId: MAIL_RESOURCE.appId, scopes: ["Mail.Send"] }] },
        { links },
      ),
    ).rejects.toMatchObject({ status: 400, code: "consent_request.scope_not_requested" });
    await expect(
      approveConsentRequest(
        t.database.db,
        w.tenant.id,
        requestId,
        as(w.appAdmin),
        { until: new Date(0) },
        { links },
      ),
    ).rejects.toMatchObject({ status: 400, code: "consent_request.invalid_until" });
    await expect(
      denyConsentRequest(t.database.db, w.tenant.id, requestId, as(w.reviewer), "   ", { links }),
    ).rejects.toMatchObject({ status: 400, code: "consent_request.reason_required" });

    await denyConsentRequest(
      t.database.db,
      w.tenant.id,
      requestId,
      as(w.reviewer),
      "Use the approved CRM.",
      { links },
    );
    const view = await getRequesterView(t.database.db, {
      tenantId: w.tenant.id,
      requestId,
      userId: w.megan.id,
    });
    expect(view).toMatchObject({ status: "denied", reason: "Use the approved CRM." });
    const [denied] = await auditEvents(t, w.tenant.id, "Deny admin consent request");
    expect(denied!.actor).toMatchObject({ id: w.reviewer.id });
    expect(denied!.modified_properties).toContainEqual({
      name: "Reason",
      oldValue: null,
      newValue: "Use the approved CRM.",
    });
    // Decided: the second decider learns who and how.
    await expect(
      approveConsentRequest(t.database.db, w.tenant.id, requestId, as(w.appAdmin), {}, { links }),
    ).rejects.toMatchObject({
      status: 409,
      code: "consent_request.already_decided",
      message: expect.stringContaining(`denied by ${w.reviewer.userPrincipalName}`),
    });
    // Users may ask again: a new request.
    expect((await ask(t, w, w.megan)).created).toBe(true);
  });

  it("blocks the app (new requests refused, sign-in disabled) and unblocks it", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorkflow(t, "cd-block");
    const { requestId } = await ask(t, w, w.megan);
    await blockConsentRequest(
      t.database.db,
      w.tenant.id,
      requestId,
      as(w.reviewer),
      "Phishing app.",
      { links },
    );
    expect(await decision(w, w.nestor.id, ["Mail.Read"])).toEqual({
      kind: "app_disabled",
      reason: "blocked",
    });
    await expect(ask(t, w, w.nestor)).rejects.toMatchObject({
      status: 403,
      code: "consent_request.app_blocked",
    });
    const detail = await getConsentRequest(t.database.db, w.tenant.id, requestId, as(w.reader));
    expect(detail).toMatchObject({
      status: "blocked",
      reason: "Phishing app.",
      servicePrincipal: { blocked: true },
    });
    expect(detail.viewer).toMatchObject({ isReviewer: false, canDeny: false });
    expect(await auditEvents(t, w.tenant.id, "Block app by admin consent request")).toHaveLength(1);
    const emails = await outboxRows(t, w.tenant.id, "email.send");
    expect(emails.filter((e) => e.dedupe_key?.includes(":blocked:"))).toHaveLength(1);

    const spId = detail.servicePrincipal!.id;
    await expect(
      unblockServicePrincipal(t.database.db, w.tenant.id, spId, as(w.reader)),
    ).rejects.toMatchObject({ status: 403 });
    await unblockServicePrincipal(t.database.db, w.tenant.id, spId, as(w.reviewer));
    await expect(
      unblockServicePrincipal(t.database.db, w.tenant.id, spId, as(w.reviewer)),
    ).rejects.toMatchObject({ status: 409, code: "service_principal.not_blocked" });
    expect(await auditEvents(t, w.tenant.id, "Unblock app")).toHaveLength(1);
    expect((await ask(t, w, w.nestor)).created).toBe(true);
  });

  it("resolves reviewers live: added ones see old requests, removed ones lose them; nobody left means Global Administrators", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorkflow(t, "cd-live");
    const { requestId } = await ask(t, w, w.megan);
    const pending = (viewer: ConsentRequestViewer) =>
      listConsentRequests(t!.database.db, w.tenant.id, viewer, { filter: "my_pending" });
    expect((await pending(as(w.reader))).value).toHaveLength(0);
    expect((await pending(as(w.reviewer))).value.map((r) => r.id)).toEqual([requestId]);
    await updateAdminConsentRequestPolicy(
      t.database.db,
      w.tenant.id,
      { reviewers: [{ type: "group", id: w.sales.id }] },
      CLI_ACTOR,
    );
    expect((await pending(as(w.reviewer))).value).toHaveLength(0);
    expect((await pending(as(w.megan))).value.map((r) => r.id)).toEqual([requestId]);
    const events = await auditEvents(t, w.tenant.id, "Update admin consent request policy");
    expect(events.at(-1)!.modified_properties.map((p) => p.name)).toEqual(["Reviewers"]);
    // Every reviewer gone (the group emptied): the Global Administrators take over.
    await sql`delete from identity.group_members where group_id = ${w.sales.id}`.execute(
      t.database.db,
    );
    expect((await pending(as(w.globalAdmin))).value.map((r) => r.id)).toEqual([requestId]);
    expect((await pending(as(w.appAdmin))).value).toHaveLength(0);
    // Validation: reviewers must exist.
    await expect(
      updateAdminConsentRequestPolicy(
        t.database.db,
        w.tenant.id,
        { reviewers: [{ type: "user", id: w.publisher.id }] },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ status: 400, code: "consent_request_policy.unknown_user" });
    await expect(
      updateAdminConsentRequestPolicy(
        t.database.db,
        w.tenant.id,
        { reviewers: [{ type: "role", id: "janitor" }] },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ code: "consent_request_policy.unknown_role" });
    await expect(
      updateAdminConsentRequestPolicy(
        t.database.db,
        w.tenant.id,
        { requestDurationInDays: 31 },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ code: "consent_request_policy.invalid_duration" });
    await expect(
      updateAdminConsentRequestPolicy(t.database.db, w.tenant.id, { reviewers: [] }, CLI_ACTOR),
    ).rejects.toMatchObject({ code: "consent_request_policy.reviewers_required" });
  });

  it("lists with filters, sorts by requesters and pages with a keyset", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorkflow(t, "cd-list");
    const { createApplication } = await import("../../../src/identity/apps/index.ts");
    const base = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const app = await createApplication(
        t.database.db,
        w.publisher.id,
        {
          displayName: `App ${i}`,
          signInAudience: "AzureADMultipleOrgs",
          isPublicClient: true,
          redirectUris: ["http://127.0.0.1:9/cb"],
        },
        CLI_ACTOR,
      );
      const askers = [w.megan, w.nestor, w.reviewer].slice(0, (i % 3) + 1);
      for (const u of askers)
        ids[i] = (await submitAs(t, w, app.id, u.id, new Date(base + i * 1000))).requestId;
    }
    const viewer = as(w.appAdmin);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listConsentRequests(t.database.db, w.tenant.id, viewer, {
        top: 2,
        cursor,
      });
      seen.push(...page.value.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const byCount = await listConsentRequests(t.database.db, w.tenant.id, viewer, {
      sort: "requesters_desc",
      top: 2,
    });
    expect(byCount.value.map((r) => r.requesterCount)).toEqual([3, 2]);
    const rest = await listConsentRequests(t.database.db, w.tenant.id, viewer, {
      sort: "requesters_desc",
      top: 10,
      cursor: byCount.nextCursor,
    });
    expect(rest.value.map((r) => r.requesterCount)).toEqual([2, 1, 1]);
    expect(new Set([...byCount.value, ...rest.value].map((r) => r.id)).size).toBe(5);
    const oldest = await listConsentRequests(t.database.db, w.tenant.id, viewer, {
      sort: "created_asc",
      top: 1,
    });
    expect(oldest.value[0]!.id).toBe(ids[0]);
    const ranged = await listConsentRequests(t.database.db, w.tenant.id, viewer, {
      createdFrom: new Date(base + 1000),
      createdTo: new Date(base + 3000),
    });
    expect(ranged.value.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    await expect(
      listConsentRequests(t.database.db, w.tenant.id, viewer, {
        sort: "created_asc",
        cursor: byCount.nextCursor,
      }),
    ).rejects.toMatchObject({ status: 400, code: "request.invalid_cursor" });
    const denied = await listConsentRequests(t.database.db, w.tenant.id, viewer, {
      status: "denied",
    });
    expect(denied.value).toHaveLength(0);
    // In another tenant the viewer is nobody: refused, and nothing of this tenant's shows.
    await expect(
      listConsentRequests(t.database.db, w.publisher.id, viewer, {}),
    ).rejects.toMatchObject({ status: 403, code: "consent_request.not_reviewer" });
    const mine = await listConsentRequests(t.database.db, w.publisher.id, viewer, {
      filter: "my_pending",
    });
    expect(mine.value).toHaveLength(0);
  });
});

async function submitAs(t: TestDatabase, w: Workflow, appId: string, userId: string, now: Date) {
  const { submitConsentRequest } = await import("../../../src/identity/consent-requests/index.ts");
  return submitConsentRequest(
    t.database.db,
    {
      tenantId: w.tenant.id,
      clientApplicationId: appId,
      userId,
      justification: "please",
      requested: [{ resourceApplicationId: MAIL_APPLICATION_ID, scopes: ["Mail.Read"] }],
    },
    now,
  );
}
