import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSignInRecorder,
  type SignInEvent,
  type SignInRecorder,
} from "../../../src/identity/activity/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import {
  type AdminTenant,
  type ApiResponse,
  apiGet,
  appOnlyToken,
  expectDeclared,
  type IdentityServer,
  seedAdminTenant,
  startIdentity,
} from "../admin-api/support.ts";
import { asCsvText, parseCsv, parseJsonl } from "./support.ts";

const SIGN_INS = "/api/v1/auditLogs/signIns";

/** A failed interactive sign-in of the tenant's user, as the OAuth flow would describe it. */
function failure(s: AdminTenant, at: Date, requestId: string, extra: Partial<SignInEvent> = {}) {
  return {
    tenantId: s.tenant.id,
    requestId,
    correlationId: `corr-${requestId}`,
    createdAt: at,
    eventType: "interactiveUser",
    status: "failure",
    errorCode: 50105,
    failureReason: "The signed in user is not assigned to a role for the application.",
    user: {
      id: s.user.id,
      userPrincipalName: s.user.userPrincipalName,
      displayName: "Ada Lovelace",
    },
    app: { appId: s.spa.appId, displayName: "Contoso SPA" },
    resource: { id: "api://assent-mail", displayName: "Assent Mail" },
    ipAddress: "203.0.113.7",
    userAgent: "Mozilla/5.0",
    clientAppUsed: "Browser",
    additionalDetails: { prompt: "login" },
    ...extra,
  } satisfies SignInEvent;
}

/** Follows @odata.nextLink to the end; returns every item and the number of pages. */
async function allPages(server: IdentityServer, first: string, token: string) {
  const items: Array<{ id: string; requestId: string; createdDateTime: string }> = [];
  let url: string | undefined = first;
  let pages = 0;
  while (url) {
    const r: ApiResponse = await apiGet(server, url, token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expectDeclared("GET", SIGN_INS, r.body);
    items.push(...r.body.value);
    url = r.body["@odata.nextLink"];
    pages++;
  }
  return { items, pages };
}

describe.each(["pglite", "postgres"] as const)("sign-in log on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let recorder: SignInRecorder;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    server = await startIdentity(t);
    recorder = createSignInRecorder({ db: t.database.db, logger: pino({ level: "silent" }) });
  });
  afterAll(async () => {
    await recorder?.close();
    await server?.close();
    await t?.close();
  });

  it("finds a failed sign-in by its request id, and by the user's email and a time window", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "log-find");
    const shownAt = new Date("2026-11-20T14:03:27.412Z");
    // The user's other sign-ins, before and after the window, and another user whose UPN
    // shares the prefix "ada".
    for (let i = 1; i <= 5; i++) {
      recorder.record(failure(s, new Date(shownAt.getTime() - i * 3_600_000), `before-${i}`));
      recorder.record(failure(s, new Date(shownAt.getTime() + i * 3_600_000), `after-${i}`));
    }
    recorder.record(
      failure(s, new Date(shownAt.getTime() - 60_000), "adam-1", {
        user: { userPrincipalName: `adam@log-find.example`, displayName: "Adam" },
      }),
    );
    recorder.record(
      failure(s, new Date(shownAt.getTime() - 90_000), "same-window", {
        status: "success",
        errorCode: 0,
      }),
    );
    recorder.record(failure(s, shownAt, "the-one"));
    expect(await recorder.flush()).toBe(true);
    const token = await appOnlyToken(t, s);

    const byRequest = await apiGet(server, `${SIGN_INS}?requestId=the-one`, token);
    expect(byRequest.status).toBe(200);
    expectDeclared("GET", SIGN_INS, byRequest.body);
    expect(byRequest.body.value).toHaveLength(1);
    const event = byRequest.body.value[0];
    expect(event).toMatchObject({
      requestId: "the-one",
      correlationId: "corr-the-one",
      createdDateTime: shownAt.toISOString(),
      status: "failure",
      errorCode: 50105,
      userPrincipalName: s.user.userPrincipalName,
      userId: s.user.id,
      appId: s.spa.appId,
      signInEventType: "interactiveUser",
      isInteractive: true,
      ipAddress: "203.0.113.7",
      additionalDetails: { prompt: "login" },
    });
    const one = await apiGet(server, `${SIGN_INS}/${event.id}`, token);
    expect(one.status).toBe(200);
    expectDeclared("GET", `${SIGN_INS}/{id}`, one.body);
    expect(one.body).toEqual(event);

    // The administrator types the email in another case and a ten-minute window.
    const from = new Date(shownAt.getTime() - 5 * 60_000).toISOString();
    const to = new Date(shownAt.getTime() + 5 * 60_000).toISOString();
    const email = s.user.userPrincipalName.toUpperCase();
    const window = await apiGet(
      server,
      `${SIGN_INS}?user=${encodeURIComponent(email)}&from=${from}&to=${to}`,
      token,
    );
    expect(window.body.value.map((e: { requestId: string }) => e.requestId)).toEqual([
      "the-one",
      "same-window",
    ]);
    const failedOnly = await apiGet(
      server,
      `${SIGN_INS}?user=${encodeURIComponent(email)}&from=${from}&to=${to}&status=failure&errorCode=50105`,
      token,
    );
    expect(failedOnly.body.value.map((e: { id: string }) => e.id)).toEqual([event.id]);
    // A prefix matches both users; a user id matches one.
    const prefix = await apiGet(server, `${SIGN_INS}?user=ada&from=${from}&to=${to}`, token);
    expect(prefix.body.value).toHaveLength(3);
    const byId = await apiGet(server, `${SIGN_INS}?user=${s.user.id}&from=${from}&to=${to}`, token);
    expect(byId.body.value).toHaveLength(2);
    // LIKE metacharacters in the input are literal.
    const wildcard = await apiGet(server, `${SIGN_INS}?user=%25&from=${from}&to=${to}`, token);
    expect(wildcard.body.value).toEqual([]);
  });

  it("pages newest first without duplicates or gaps, while new events arrive", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "log-pages");
    const base = Date.parse("2026-11-10T08:00:00.000Z");
    // 53 events, with runs of identical timestamps (the id breaks the tie).
    for (let i = 0; i < 53; i++)
      recorder.record(failure(s, new Date(base + Math.floor(i / 4) * 1_000), `page-${i}`));
    await recorder.flush();
    const token = await appOnlyToken(t, s);

    // status=failure: getting the token above is itself a (successful) sign-in of the tenant,
    // written by the server whenever its buffer flushes; it must not race with the pages.
    const first = await apiGet(server, `${SIGN_INS}?top=7&status=failure`, token);
    expect(first.body.value).toHaveLength(7);
    // Newer events recorded after the first page do not shift the following pages.
    for (let i = 0; i < 5; i++)
      recorder.record(failure(s, new Date(base + 3_600_000 + i), `late-${i}`));
    await recorder.flush();
    const rest = await allPages(server, first.body["@odata.nextLink"], token);
    const seen = [...first.body.value, ...rest.items];
    expect(rest.pages).toBe(7);
    expect(seen).toHaveLength(53);
    expect(new Set(seen.map((e) => e.id)).size).toBe(53);
    expect(seen.every((e) => e.requestId.startsWith("page-"))).toBe(true);
    const sorted = [...seen].sort((a, b) =>
      a.createdDateTime === b.createdDateTime
        ? b.id.localeCompare(a.id)
        : b.createdDateTime.localeCompare(a.createdDateTime),
    );
    expect(seen.map((e) => e.id)).toEqual(sorted.map((e) => e.id));
    expect(first.body["@odata.nextLink"]).toMatch(
      new RegExp(`^${server.baseUrl}${SIGN_INS}\\?top=7&status=failure&cursor=`),
    );

    const bad = await apiGet(server, `${SIGN_INS}?cursor=bm9wZQ`, token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("request.invalid_cursor");
    const badRange = await apiGet(
      server,
      `${SIGN_INS}?from=2026-11-11T00:00:00Z&to=2026-11-10T00:00:00Z`,
      token,
    );
    expect(badRange.status).toBe(400);
    expect(badRange.body.error.code).toBe("request.invalid");
    const badStatus = await apiGet(server, `${SIGN_INS}?status=maybe&top=5000`, token);
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      "status",
      "top",
    ]);
  });

  it("exports a filtered range as CSV and JSON Lines with the same events, formulas neutralised", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "log-export");
    const base = Date.parse("2026-11-05T00:00:00.000Z");
    // More than one export batch (1,000 rows), mixed statuses, and hostile text fields.
    for (let i = 0; i < 2_300; i++)
      recorder.record(
        failure(s, new Date(base + i * 1_000), `exp-${i}`, {
          status: i % 3 === 0 ? "success" : "failure",
          errorCode: i % 3 === 0 ? 0 : 50126,
        }),
      );
    recorder.record(
      failure(s, new Date(base + 500_500), "hostile", {
        user: {
          userPrincipalName: "=cmd|'/c calc'!a0@log-export.example",
          displayName: '=HYPERLINK("http://evil","x")',
        },
        userAgent: "+SUM(1,2)",
        failureReason: '@evil, with "quotes"\r\nand a line break',
        ipAddress: "-2+3",
        app: { appId: "\tcmd", displayName: "\rtab" },
      }),
    );
    await recorder.flush();
    const token = await appOnlyToken(t, s);
    const from = new Date(base + 100_000).toISOString();
    const to = new Date(base + 2_000_000).toISOString();
    const filter = `status=failure&from=${from}&to=${to}`;

    const csv = await apiGet(server, `${SIGN_INS}/export?format=csv&${filter}`, token);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toMatch(
      /^attachment; filename="sign-ins-.*\.csv"$/,
    );
    const jsonl = await apiGet(server, `${SIGN_INS}/export?format=jsonl&${filter}`, token);
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");

    const rows = parseCsv(csv.text);
    const objects = parseJsonl(jsonl.text);
    // 1,901 seconds in range, two in three failures, plus the hostile one.
    const expected = Array.from({ length: 2_300 }, (_, i) => i)
      .filter((i) => i >= 100 && i <= 2_000 && i % 3 !== 0)
      .map((i) => `exp-${i}`);
    expect(objects).toHaveLength(expected.length + 1);
    expect(rows.map((r) => r.id)).toEqual(objects.map((o) => o.id));
    expect(new Set(objects.map((o) => o.requestId))).toEqual(new Set([...expected, "hostile"]));
    expect(objects.map((o) => o.createdDateTime)).toEqual(
      [...objects.map((o) => o.createdDateTime as string)].sort().reverse(),
    );
    // The JSON Lines are the API's own objects; the CSV cells hold the same values.
    const { value: listed } = (await apiGet(server, `${SIGN_INS}?${filter}&top=5`, token)).body;
    expect(objects.slice(0, 5)).toEqual(listed);
    const hostileIndex = objects.findIndex((o) => o.requestId === "hostile");
    rows.forEach((row, i) => {
      if (i === hostileIndex) return;
      for (const [key, value] of Object.entries(objects[i]!))
        expect(row[key]).toBe(asCsvText(value));
    });

    const hostileCsv = rows[hostileIndex]!;
    const hostileJson = objects[hostileIndex]!;
    expect(hostileJson.userDisplayName).toBe('=HYPERLINK("http://evil","x")');
    expect(hostileCsv.userDisplayName).toBe('\'=HYPERLINK("http://evil","x")');
    expect(hostileCsv.userPrincipalName).toBe(`'${hostileJson.userPrincipalName}`);
    expect(hostileCsv.userAgent).toBe("'+SUM(1,2)");
    expect(hostileCsv.failureReason).toBe('\'@evil, with "quotes"\r\nand a line break');
    expect(hostileCsv.ipAddress).toBe("'-2+3");
    expect(hostileCsv.appId).toBe("'\tcmd");
    expect(hostileCsv.appDisplayName).toBe("'\rtab");
    for (const cell of Object.values(hostileCsv)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});
