import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { connectDb, createConnectApp, createConnectApplication } from "../../src/connect/index.ts";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import { createApplication, MAIL_APPLICATION_ID } from "../../src/identity/apps/index.ts";
import {
  SUBMISSIONS_PER_USER,
  submitConsentRequest,
} from "../../src/identity/consent-requests/submit.ts";
import { THROTTLE } from "../../src/identity/oauth/interaction/throttle.ts";
import { api, portalToken } from "../identity/admin-api/admin-http.ts";
import { seedAdminTenant } from "../identity/admin-api/support.ts";
import { expectPage, seedWorld } from "../identity/consent/support.ts";
import { reachApprovalPage, requestApproval } from "../identity/consent-requests/pages-support.ts";
import { seedWorkflow, type Workflow } from "../identity/consent-requests/support.ts";
import { Browser, parseForm } from "../identity/oauth/support/browser.ts";
import { type IdentityServer, PASSWORD, seedTenant } from "../identity/oauth/support/fixture.ts";
import { authorizeUrl, pkcePair, tokenEndpoint } from "../identity/oauth/support/protocol.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import { ClientAt, freePort, startIdentityWith } from "./support/abuse-servers.ts";

const ATTACKER = "198.51.100.66";
const VICTIM_HOME = "203.0.113.20";
const LOCKED = "temporarily locked";

function pkceAuthorize(s: Parameters<typeof authorizeUrl>[0]): URL {
  const { challenge } = pkcePair();
  return authorizeUrl(s, { code_challenge: challenge, code_challenge_method: "S256" });
}

/** Every throttle row of the tenant, by subject. */
async function throttleRows(t: TestDatabase, tenantId: string) {
  const rows = await t.database.db
    .selectFrom("identity.sign_in_throttle")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .execute();
  return new Map(rows.map((r) => [r.subject, r]));
}

/** Ends every block of the tenant now: what the passing of the block's window does. */
async function endBlocks(t: TestDatabase, tenantId: string) {
  await t.database.db
    .updateTable("identity.sign_in_throttle")
    .set({ blocked_until: new Date(Date.now() - 1000) })
    .where("tenant_id", "=", tenantId)
    .execute();
}

async function auditCount(t: TestDatabase, tenantId: string, activity: string) {
  const row = await t.database.db
    .selectFrom("identity.audit_events")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("tenant_id", "=", tenantId)
    .where("activity", "=", activity)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe.each(["pglite", "postgres"] as const)("abuse limits on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (t)
      server = await startIdentityWith(t, {
        ASSENT_TRUST_PROXY: "true",
        // The pages' limit (configuration): two requests per user per 15 minutes.
        ASSENT_CONSENT_REQUESTS_PER_USER: "2",
      });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  describe("sign-in throttling", () => {
    it("an attacker on one address locks only that address out of the victim's account, never the victim elsewhere", async (ctx) => {
      if (!t) return ctx.skip();
      const s = await seedTenant(t, server, "abuse-lockout");
      const upn = s.user.userPrincipalName;
      const attacker = new ClientAt(ATTACKER);
      // Several rounds: each time the attacker's block ends, he locks the account again.
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < THROTTLE.accountFromAddress.limit; i++) {
          const r = await attacker.trySignIn(pkceAuthorize(s), upn, `guess ${round}-${i}`);
          expect(r.status).toBe(200);
          expect(await r.text()).toContain("incorrect");
        }
        // Locked out from his address, even with the right password...
        const locked = await attacker.trySignIn(pkceAuthorize(s), upn, PASSWORD);
        expect(locked.status).toBe(429);
        expect(await locked.text()).toContain(LOCKED);
        // ...and attempts while locked are not counted anywhere.
        const before = (await throttleRows(t, s.tenant.id)).get(`account:${upn}`)?.failures;
        await attacker.trySignIn(pkceAuthorize(s), upn, "more guessing");
        expect((await throttleRows(t, s.tenant.id)).get(`account:${upn}`)?.failures).toBe(before);
        // The victim, from home, signs in every round.
        const victim = await new ClientAt(VICTIM_HOME).trySignIn(pkceAuthorize(s), upn, PASSWORD);
        expect(victim.status).toBe(303);
        await endBlocks(t, s.tenant.id);
      }
      // One address never reaches the account-wide limit on its own.
      expect(THROTTLE.accountFromAddress.limit * 3).toBeLessThan(THROTTLE.account.limit);
    });

    it("a lock ends when its window passes: the account is usable again from the same address", async (ctx) => {
      if (!t) return ctx.skip();
      const s = await seedTenant(t, server, "abuse-expiry");
      const upn = s.user.userPrincipalName;
      const client = new ClientAt("192.0.2.10");
      for (let i = 0; i < THROTTLE.accountFromAddress.limit; i++)
        await client.trySignIn(pkceAuthorize(s), upn, `typo ${i}`);
      const locked = await client.trySignIn(pkceAuthorize(s), upn, PASSWORD);
      expect(locked.status).toBe(429);
      const row = (await throttleRows(t, s.tenant.id)).get(`account-ip:${upn}|192.0.2.10`);
      // Bounded: the block ends within its configured length.
      const until = new Date(row?.blocked_until as Date).getTime();
      expect(until).toBeLessThanOrEqual(
        Date.now() + THROTTLE.accountFromAddress.blockSeconds * 1000,
      );
      await endBlocks(t, s.tenant.id);
      const again = await client.trySignIn(pkceAuthorize(s), upn, PASSWORD);
      expect(again.status).toBe(303);
    });

    it("guessing spread over many addresses locks the account everywhere, for a bounded time", async (ctx) => {
      if (!t) return ctx.skip();
      const s = await seedTenant(t, server, "abuse-spread");
      const upn = s.user.userPrincipalName;
      // The failures of many addresses so far (one short of the limit)...
      await sql`insert into identity.sign_in_throttle (tenant_id, subject, failures, window_started_at)
        values (${s.tenant.id}, ${`account:${upn}`}, ${THROTTLE.account.limit - 1}, now())`.execute(
        t.database.db,
      );
      // ...and one more from yet another address.
      await new ClientAt("198.51.100.99").trySignIn(pkceAuthorize(s), upn, "one more guess");
      const victim = await new ClientAt(VICTIM_HOME).trySignIn(pkceAuthorize(s), upn, PASSWORD);
      expect(victim.status).toBe(429);
      await endBlocks(t, s.tenant.id);
      const later = await new ClientAt(VICTIM_HOME).trySignIn(pkceAuthorize(s), upn, PASSWORD);
      expect(later.status).toBe(303);
    });

    it("one address spraying many accounts is blocked for every account", async (ctx) => {
      if (!t) return ctx.skip();
      const s = await seedTenant(t, server, "abuse-spray");
      const sprayer = "198.51.100.77";
      await sql`insert into identity.sign_in_throttle (tenant_id, subject, failures, window_started_at)
        values (${s.tenant.id}, ${`ip:${sprayer}`}, ${THROTTLE.ip.limit - 1}, now())`.execute(
        t.database.db,
      );
      await new ClientAt(sprayer).trySignIn(pkceAuthorize(s), "nobody@abuse-spray.example", "x");
      const blocked = await new ClientAt(sprayer).trySignIn(
        pkceAuthorize(s),
        s.user.userPrincipalName,
        PASSWORD,
      );
      expect(blocked.status).toBe(429);
      const elsewhere = await new ClientAt(VICTIM_HOME).trySignIn(
        pkceAuthorize(s),
        s.user.userPrincipalName,
        PASSWORD,
      );
      expect(elsewhere.status).toBe(303);
    });
  });

  describe("admin consent request limits", () => {
    async function manyApps(w: Workflow, n: number) {
      const apps = [];
      for (let i = 0; i < n; i++)
        apps.push(
          await createApplication(
            t!.database.db,
            w.publisher.id,
            {
              displayName: `Spam app ${i}`,
              isPublicClient: true,
              signInAudience: "AzureADMultipleOrgs",
              redirectUris: ["http://127.0.0.1:9/callback"],
            },
            CLI_ACTOR,
          ),
        );
      return apps;
    }
    const submit = (w: Workflow, userId: string, appId: string, perUserLimit?: number) =>
      submitConsentRequest(t!.database.db, {
        tenantId: w.tenant.id,
        clientApplicationId: appId,
        userId,
        justification: "I need it",
        requested: [{ resourceApplicationId: MAIL_APPLICATION_ID, scopes: ["Mail.Read"] }],
        ...(perUserLimit === undefined ? {} : { perUserLimit }),
      });

    it("stops one user's burst of requests for many apps with a clear message, audited once, and lifts it later", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorkflow(t, "abuse-requests");
      const apps = await manyApps(w, SUBMISSIONS_PER_USER + 2);
      for (let i = 0; i < SUBMISSIONS_PER_USER; i++) await submit(w, w.megan.id, apps[i]!.id);
      const refused = await submit(w, w.megan.id, apps[SUBMISSIONS_PER_USER]!.id).catch((e) => e);
      expect(refused.status).toBe(429);
      expect(refused.code).toBe("consent_request.too_many");
      expect(refused.message).toMatch(
        /sent 10 approval requests in a short time\. Wait \d+ minutes?/,
      );
      // Resubmitting to an app already asked for counts too (it re-notifies reviewers).
      const again = await submit(w, w.megan.id, apps[0]!.id).catch((e) => e);
      expect(again.code).toBe("consent_request.too_many");
      expect(await auditCount(t, w.tenant.id, "Limit admin consent requests")).toBe(1);
      // Another user is not affected.
      await submit(w, w.nestor.id, apps[SUBMISSIONS_PER_USER]!.id);
      // The block ends.
      await endBlocks(t, w.tenant.id);
      await submit(w, w.megan.id, apps[SUBMISSIONS_PER_USER + 1]!.id);
    });

    it("the Approval required page answers 429 with the limit in words once the user is over it", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorld(t, server, "abuse-pages", {
        userConsent: "disabled",
        adminConsentWorkflowEnabled: true,
      });
      for (let i = 0; i < 2; i++) {
        const each = new Browser();
        const page = await reachApprovalPage(each, w, w.foreignApp, w.megan);
        const sent = expectPage(await requestApproval(each, page, `Reason ${i}`));
        expect(sent.status, sent.html.slice(0, 300)).toBe(200);
      }
      const browser = new Browser();
      const page = await reachApprovalPage(browser, w, w.foreignApp, w.megan);
      const refused = expectPage(await requestApproval(browser, page, "Once more"));
      expect(refused.status).toBe(429);
      expect(refused.html).toContain("You have sent 2 approval requests in a short time.");
      expect(refused.html).toContain("Once more");
    });

    it("is configurable (ASSENT_CONSENT_REQUESTS_PER_USER), and 0 turns it off", async (ctx) => {
      if (!t) return ctx.skip();
      expect(loadConfig({}).consentRequestsPerUser).toBe(SUBMISSIONS_PER_USER);
      expect(loadConfig({ ASSENT_CONSENT_REQUESTS_PER_USER: "3" }).consentRequestsPerUser).toBe(3);
      expect(() => loadConfig({ ASSENT_CONSENT_REQUESTS_PER_USER: "-1" })).toThrow(
        /ASSENT_CONSENT_REQUESTS_PER_USER/,
      );
      const w = await seedWorkflow(t, "abuse-requests-cfg");
      const apps = await manyApps(w, 4);
      for (let i = 0; i < 2; i++) await submit(w, w.megan.id, apps[i]!.id, 2);
      await expect(submit(w, w.megan.id, apps[2]!.id, 2)).rejects.toMatchObject({
        code: "consent_request.too_many",
      });
      for (let i = 0; i < 4; i++) await submit(w, w.nestor.id, apps[i]!.id, 0);
    });
  });

  describe("body size limits", () => {
    const huge = "x".repeat(2 * 1024 * 1024);
    const expectRefused = async (response: Response) => {
      const text = await response.text();
      expect(response.status, text.slice(0, 300)).toBe(413);
      expect(text).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|\/work\//);
      expect(text.length).toBeLessThan(4096);
      return text;
    };

    it("refuses huge JSON and form bodies at the token endpoint, the admin API and the sign-in form with 413", async (ctx) => {
      if (!t) return ctx.skip();
      const s = await seedAdminTenant(t, server, "abuse-bodies");
      const form = new URLSearchParams({ grant_type: "client_credentials", scope: huge });
      const tokenForm = await fetch(tokenEndpoint(s), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form,
      });
      expect(await expectRefused(tokenForm)).toContain("too large");
      const tokenJson = await fetch(tokenEndpoint(s), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ grant_type: "client_credentials", scope: huge }),
      });
      expect([400, 413]).toContain(tokenJson.status);
      expect(await tokenJson.text()).not.toMatch(/node_modules|\/work\//);
      const token = await portalToken(t, s, s.users.globalAdmin);
      const admin = await fetch(`${server.baseUrl}/api/v1/groups`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ displayName: "g", description: huge }),
      });
      const message = await expectRefused(admin);
      expect(JSON.parse(message).error.message).toMatch(/too large|limit/i);
      const interaction = new ClientAt("192.0.2.99");
      const authorize = pkceAuthorize(s);
      const at = new URL(
        (await interaction.get(authorize)).headers.get("location") ?? "",
        authorize,
      );
      const { action, fields } = parseForm(await (await interaction.get(at)).text(), at);
      const signIn = await interaction.post(action, { ...fields, username: huge, password: "x" });
      await expectRefused(signIn);
      // The server is fine afterwards.
      const after = await api(server, "GET", "/api/v1/groups", token);
      expect(after.status).toBe(200);
    });

    it("refuses huge bodies at Connect and at Mail's sendMail with 413 in their own error shapes", async (ctx) => {
      if (!t) return ctx.skip();
      const { startConnect } = await import("../connect/support/connect-world.ts");
      const servers = await startConnect(t, server);
      try {
        const created = await createConnectApplication(connectDb(t.database), {
          name: "Bodies",
          callbackUris: ["https://bodies.example/cb"],
        });
        const connect = await fetch(`${servers.connectUrl}/v3/webhooks`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${created.apiKey}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({ webhook_url: huge }),
        });
        await expectRefused(connect);
        const mail = await fetch(`${servers.mailUrl}/v1.0/me/sendMail`, {
          method: "POST",
          headers: { authorization: "Bearer x", "content-type": "application/json" },
          body: JSON.stringify({ message: { subject: "s", body: { content: huge } } }),
        });
        // A bad token may be refused before the body is read: either is a clean refusal.
        expect([401, 413]).toContain(mail.status);
        expect(await mail.text()).not.toMatch(/node_modules|\/work\//);
      } finally {
        await servers.close();
      }
    });
  });
});

describe.each(["pglite", "postgres"] as const)("webhook targets in production on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (t) server = await startIdentityWith(t, {}, { env: "production" });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  const FORBIDDEN = [
    "http://127.0.0.1:8080/hooks",
    "https://127.0.0.1/hooks",
    "https://localhost/hooks",
    "https://app.localhost/hooks",
    "https://[::1]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://2130706433/hooks",
    "https://0x7f.1/hooks",
    "https://0.0.0.0/hooks",
    "https://10.1.2.3/hooks",
    "https://172.16.0.1/hooks",
    "https://192.168.1.1/hooks",
    "https://100.64.0.1/hooks",
    "https://169.254.169.254/latest/meta-data",
    "https://[fe80::1]/hooks",
    "https://[fd00::1]/hooks",
    "http://hooks.example.com/plain-http",
    "https://intranet/hooks",
    "https://user:pass@hooks.example.com/x",
    "file:///etc/passwd",
  ];

  it("Identity's webhook endpoints refuse loopback, link-local, private and plain-http targets", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "abuse-hooks");
    const token = await portalToken(t, s, s.users.globalAdmin);
    for (const url of FORBIDDEN) {
      const r = await api(server, "POST", "/api/v1/webhookEndpoints", token, {
        url,
        eventTypes: ["consent_request.created"],
      });
      expect(r.status, `${url}: ${r.text}`).toBe(400);
      expect(r.body.error.code).toBe("webhook_endpoint.invalid_url");
      expect(r.body.error.message).toMatch(/webhook URL/);
    }
    const ok = await api(server, "POST", "/api/v1/webhookEndpoints", token, {
      url: "https://hooks.example.com/assent",
      eventTypes: ["consent_request.created"],
    });
    expect(ok.status, ok.text).toBe(201);
  });

  it("Connect's webhook destinations refuse the same targets before any challenge is sent", async (ctx) => {
    if (!t) return ctx.skip();
    const port = await freePort();
    const config = {
      ...loadConfig({ LOG_LEVEL: "silent", ASSENT_CONNECT_URL: `http://127.0.0.1:${port}` }),
      env: "production" as const,
    };
    const { connectMigrations } = await import("../../migrations/connect/index.ts");
    const { migrate } = await import("../../src/platform/db/index.ts");
    await migrate(connectDb(t.database), connectMigrations);
    const pino = (await import("pino")).default;
    const connect = createConnectApp({
      config,
      database: t.database,
      keyRing: server.keyRing,
      logger: pino({ level: "silent" }),
      wake: () => {},
    });
    await connect.listen({ host: "127.0.0.1", port });
    try {
      const created = await createConnectApplication(connectDb(t.database), {
        name: "Hooks",
        callbackUris: ["https://hooks-app.example/cb"],
      });
      for (const url of FORBIDDEN) {
        const r = await fetch(`http://127.0.0.1:${port}/v3/webhooks`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${created.apiKey}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({ webhook_url: url, trigger_types: ["grant.created"] }),
        });
        const text = await r.text();
        expect(r.status, `${url}: ${text}`).toBe(400);
        expect(text).toMatch(/webhook[ _]url/i);
      }
    } finally {
      await connect.close();
    }
  });
});
