import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { MAIL_APPLICATION_ID, MAIL_RESOURCE } from "../../../src/identity/apps/index.ts";
import {
  getConsentRequest,
  listConsentRequests,
  updateAdminConsentRequestPolicy,
} from "../../../src/identity/consent-requests/index.ts";
import { resolveReviewers } from "../../../src/identity/consent-requests/reviewers.ts";
import type { StoredReviewer } from "../../../src/identity/consent-requests/tables.ts";
import {
  resolveViewer,
  resolveViewerUnderPolicy,
} from "../../../src/identity/consent-requests/viewer.ts";
import { createDirectory, type User } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { ask, seedWorkflow } from "./support.ts";

/**
 * The listing reads the viewer in one statement and merges each request's asks in SQL (issue
 * 10: round trips at 100,000 requests). These pin both to the rules the detail and the
 * notifications apply in TypeScript: the same merged scopes in the same order, the same
 * reviewers.
 */
describe.each(["pglite", "postgres"] as const)("listing consent requests on %s", (kind) => {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(() => t?.close());

  it("merges the requesters' asks in SQL exactly as the detail merges them", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await seedWorkflow(t, "cr-list-merge");
    const reviewer = { kind: "user" as const, userId: w.reviewer.id };
    const { requestId } = await ask(t, w, w.megan);
    await ask(t, w, w.nestor);
    await ask(t, w, w.reader);
    const unknown = randomUUID();
    // Asks that exercise the merge's order: resources by first appearance (an empty part
    // counts), scopes by first appearance, empty resources dropped; ties on time by user id.
    const at = new Date("2026-01-01T00:00:00Z");
    const later = new Date("2026-01-02T00:00:00Z");
    const asks: Array<[User, Date, unknown]> = [
      [
        w.megan,
        at,
        [
          { resourceApplicationId: w.app.id, scopes: ["x", "y"] },
          { resourceApplicationId: MAIL_APPLICATION_ID, scopes: ["a"] },
        ],
      ],
      [
        w.nestor,
        at,
        [
          { resourceApplicationId: MAIL_APPLICATION_ID, scopes: ["b", "a"] },
          { resourceApplicationId: unknown, scopes: [] },
          { resourceApplicationId: w.app.id, scopes: ["z", "x"] },
        ],
      ],
      [w.reader, later, [{ resourceApplicationId: unknown, scopes: ["q"] }]],
    ];
    for (const [user, time, scopes] of asks)
      await sql`update identity.consent_request_requesters
        set scopes = ${JSON.stringify(scopes)}::jsonb, requested_at = ${time}
        where request_id = ${requestId} and user_id = ${user.id}`.execute(db);
    const [first] = [w.megan.id, w.nestor.id].sort();
    const appName = w.app.displayName;
    const named = {
      app: (scopes: string[]) => ({
        resourceAppId: w.app.appId,
        resourceDisplayName: appName,
        scopes,
      }),
      mail: (scopes: string[]) => ({
        resourceAppId: MAIL_RESOURCE.appId,
        resourceDisplayName: "Assent Mail",
        scopes,
      }),
      unknown: (scopes: string[]) => ({
        resourceAppId: unknown,
        resourceDisplayName: "Unknown resource",
        scopes,
      }),
    };
    const listed = async () => {
      const page = await listConsentRequests(db, w.tenant.id, reviewer);
      const item = page.value.find((r) => r.id === requestId);
      const detail = await getConsentRequest(db, w.tenant.id, requestId, reviewer);
      expect(item?.scopes).toEqual(detail.scopes);
      return item?.scopes;
    };

    // Megan and Nestor asked at the same time: the smaller user id comes first.
    expect(await listed()).toEqual(
      first === w.megan.id
        ? [named.app(["x", "y", "z"]), named.mail(["a", "b"]), named.unknown(["q"])]
        : [named.mail(["b", "a"]), named.unknown(["q"]), named.app(["z", "x", "y"])],
    );

    // Megan withdraws: only the active requesters count.
    await sql`update identity.consent_request_requesters set withdrawn_at = now()
      where request_id = ${requestId} and user_id = ${w.megan.id}`.execute(db);
    expect(await listed()).toEqual([
      named.mail(["b", "a"]),
      named.unknown(["q"]),
      named.app(["z", "x"]),
    ]);

    // Everyone withdrew: the request keeps showing everything that was asked.
    await sql`update identity.consent_request_requesters set withdrawn_at = now()
      where request_id = ${requestId}`.execute(db);
    const all = await listed();
    expect(all).toHaveLength(3);
    expect(all?.map((s) => s.resourceAppId).sort()).toEqual(
      [w.app.appId, MAIL_RESOURCE.appId, unknown].sort(),
    );
  });

  it("resolves the viewer in one statement with the reviewers' rule of the notifications", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await seedWorkflow(t, "cr-list-viewer");
    const directory = createDirectory({ database: t.database });
    const people = [w.megan, w.nestor, w.reviewer, w.appAdmin, w.reader, w.globalAdmin];
    const check = async (reviewers: StoredReviewer[], expected: User[]) => {
      // No reviewers at all is possible only with the workflow off (the policy refuses it on).
      const isEnabled = reviewers.length > 0;
      await updateAdminConsentRequestPolicy(db, w.tenant.id, { reviewers, isEnabled }, CLI_ACTOR);
      const notified = (await resolveReviewers(db, w.tenant.id, reviewers)).map((u) => u.id);
      expect([...notified].sort()).toEqual(expected.map((u) => u.id).sort());
      for (const user of people) {
        const viewer = { kind: "user" as const, userId: user.id };
        const given = await resolveViewer(db, w.tenant.id, viewer, reviewers);
        const stored = await resolveViewerUnderPolicy(db, w.tenant.id, viewer);
        expect(stored).toEqual(given);
        expect({ user: user.displayName, reviewer: given.isReviewer }).toEqual({
          user: user.displayName,
          reviewer: notified.includes(user.id),
        });
        expect(given.roles).toEqual(await directory.roles.rolesOfUser(w.tenant.id, user.id));
        expect(given.actor).toEqual({
          type: "user",
          id: user.id,
          userPrincipalName: user.userPrincipalName,
        });
      }
    };

    // A user and a role (the seeded policy).
    await check(
      [
        { type: "user", id: w.reviewer.id },
        { type: "role", id: "cloud_application_administrator" },
      ],
      [w.reviewer, w.appAdmin],
    );
    // A group: its members.
    await check([{ type: "group", id: w.sales.id }], [w.megan]);
    // Nobody: the Global Administrators.
    await check([], [w.globalAdmin]);
    // Reviewers who all left (disabled): the Global Administrators again.
    await directory.users.disable(w.tenant.id, w.reviewer.id, CLI_ACTOR);
    await check([{ type: "user", id: w.reviewer.id }], [w.globalAdmin]);

    // A disabled user has no roles and reviews nothing; an unknown one neither.
    await directory.users.disable(w.tenant.id, w.appAdmin.id, CLI_ACTOR);
    const disabled = await resolveViewerUnderPolicy(db, w.tenant.id, {
      kind: "user",
      userId: w.appAdmin.id,
    });
    expect(disabled).toMatchObject({ isReviewer: false, roles: [] });
    for (const userId of [randomUUID(), "not-a-uuid"])
      expect(await resolveViewerUnderPolicy(db, w.tenant.id, { kind: "user", userId })).toEqual({
        kind: "user",
        actor: { type: "user", id: userId },
        isReviewer: false,
        roles: [],
      });
  });
});
