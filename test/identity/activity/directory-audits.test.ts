import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR, recordAudit } from "../../../src/identity/activity/index.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import {
  type ApiResponse,
  apiGet,
  appOnlyToken,
  expectDeclared,
  type IdentityServer,
  seedAdminTenant,
  startIdentity,
} from "../admin-api/support.ts";
import { asCsvText, parseCsv, parseJsonl } from "./support.ts";

const AUDITS = "/api/v1/auditLogs/directoryAudits";

describe.each(["pglite", "postgres"] as const)("audit log API on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (t) server = await startIdentity(t);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it("filters by activity, actor, target and correlation id, and pages newest first", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "audit-api");
    const directory = createDirectory({ database: t.database });
    const admin = {
      type: "user" as const,
      id: s.users.globalAdmin.id,
      userPrincipalName: s.users.globalAdmin.userPrincipalName,
    };
    await t.database.transaction((trx) =>
      recordAudit(trx, {
        tenantId: s.tenant.id,
        activity: "Consent to application",
        category: "ApplicationManagement",
        actor: admin,
        targets: [{ type: "ServicePrincipal", id: s.spa.id, displayName: "Contoso SPA" }],
        modifiedProperties: [
          { name: "ConsentContext.IsAdminConsent", oldValue: null, newValue: true },
        ],
        correlationId: "corr-consent",
      }),
    );
    await directory.roles.assign(s.tenant.id, s.users.plain.id, "global_reader", CLI_ACTOR);
    const token = await appOnlyToken(t, s);

    const consent = await apiGet(server, `${AUDITS}?activity=Consent%20to%20application`, token);
    expect(consent.status).toBe(200);
    expectDeclared("GET", AUDITS, consent.body);
    expect(consent.body.value).toHaveLength(1);
    expect(consent.body.value[0]).toMatchObject({
      activityDisplayName: "Consent to application",
      category: "ApplicationManagement",
      result: "success",
      correlationId: "corr-consent",
      initiatedBy: admin,
      targetResources: [{ type: "ServicePrincipal", id: s.spa.id }],
      modifiedProperties: [
        { name: "ConsentContext.IsAdminConsent", oldValue: null, newValue: true },
      ],
    });
    const one = await apiGet(server, `${AUDITS}/${consent.body.value[0].id}`, token);
    expectDeclared("GET", `${AUDITS}/{id}`, one.body);
    expect(one.body).toEqual(consent.body.value[0]);

    const byActor = await apiGet(
      server,
      `${AUDITS}?actor=${encodeURIComponent(admin.userPrincipalName.toUpperCase())}`,
      token,
    );
    expect(byActor.body.value.map((e: { correlationId: string }) => e.correlationId)).toEqual([
      "corr-consent",
    ]);
    const byCorrelation = await apiGet(server, `${AUDITS}?correlationId=corr-consent`, token);
    expect(byCorrelation.body.value).toHaveLength(1);
    const byTarget = await apiGet(server, `${AUDITS}?targetId=${s.users.plain.id}`, token);
    expect(
      byTarget.body.value.map((e: { activityDisplayName: string }) => e.activityDisplayName),
    ).toEqual(["Add member to role", "Add user"]);
    const byCli = await apiGet(server, `${AUDITS}?actor=assent-cli&category=UserManagement`, token);
    expect(byCli.body.value.length).toBeGreaterThanOrEqual(5);

    // Every event once, newest first, three at a time.
    const all: Array<{ id: string; activityDateTime: string }> = [];
    let url: string | undefined = `${AUDITS}?top=3`;
    while (url) {
      const page: ApiResponse = await apiGet(server, url, token);
      expectDeclared("GET", AUDITS, page.body);
      all.push(...page.body.value);
      url = page.body["@odata.nextLink"];
    }
    const everything = await apiGet(server, `${AUDITS}?top=1000`, token);
    expect(all.map((e) => e.id)).toEqual(everything.body.value.map((e: { id: string }) => e.id));
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);

    // The export holds the same events, in both formats.
    const csv = await apiGet(server, `${AUDITS}/export?format=csv`, token);
    const jsonl = await apiGet(server, `${AUDITS}/export?format=jsonl`, token);
    const rows = parseCsv(csv.text);
    const objects = parseJsonl(jsonl.text);
    expect(objects.map((o) => o.id)).toEqual(all.map((e) => e.id));
    expect(rows.map((r) => r.id)).toEqual(all.map((e) => e.id));
    rows.forEach((row, i) => {
      const o = objects[i] as {
        activityDisplayName: string;
        initiatedBy: { id?: string };
        modifiedProperties: unknown;
      };
      expect(row.activityDisplayName).toBe(o.activityDisplayName);
      expect(row.initiatedById).toBe(asCsvText(o.initiatedBy.id));
      expect(row.modifiedProperties).toBe(asCsvText(o.modifiedProperties));
    });
  });
});
