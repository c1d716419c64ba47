import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import {
  listDelegatedPermissionGrants,
  revokeDelegatedPermissionGrant,
} from "../../src/identity/consent/index.ts";
import { expectApp, expectPage, signInAndWalk, submit, walk } from "../identity/consent/support.ts";
import { Browser } from "../identity/oauth/support/browser.ts";
import { type IdentityServer, startIdentity } from "../identity/oauth/support/fixture.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import {
  APP_CALLBACK,
  type ConnectServers,
  type Receiver,
  seedConnectedWorld,
  startConnect,
  startReceiver,
} from "./support/connect-world.ts";
import { authUrl, exchange, linkIn } from "./support/flow.ts";

const TRIGGERS = [
  "grant.created",
  "grant.expired",
  "grant.approval_required",
  "grant.approval_granted",
];

describe.each(["pglite", "postgres"] as const)(
  "Connect's way back from admin approval on %s",
  (kind) => {
    let t: TestDatabase | undefined;
    let identity: IdentityServer;
    let servers: ConnectServers;
    let receiver: Receiver;
    beforeAll(async () => {
      t = await openTestDatabase(kind);
      if (!t) return;
      identity = await startIdentity(t);
      servers = await startConnect(t, identity);
      receiver = await startReceiver();
    });
    afterAll(async () => {
      await receiver?.close();
      await servers?.close();
      await identity?.close();
      await t?.close();
    });

    it("need admin approval -> typed outcome, pending approval, admin consents through Connect, resume keeps working, revocation expires the grant", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedConnectedWorld(t, identity, servers, "cx-approval");
      const hook = await w.api("POST", "/v3/webhooks", {
        webhook_url: receiver.url,
        trigger_types: TRIGGERS,
      });
      const verify = (d: { body: string; headers: Record<string, string> }) =>
        new Webhook(hook.body.data.webhook_secret).verify(d.body, d.headers) as Record<string, any>;

      // Megan's organisation does not let users consent to this (unverified, multi-tenant) app.
      const browser = new Browser();
      const denied = expectPage(
        await signInAndWalk(
          browser,
          authUrl(servers, w, { login_hint: w.megan.userPrincipalName }),
          w.megan,
        ),
      );
      expect(denied.html).toContain("Need admin approval");
      const outcome = expectPage(await submit(browser, denied));
      expect(outcome.url.origin).toBe(servers.connectUrl);
      expect(outcome.html).toContain("Your administrator must approve this app");
      const back = linkIn(outcome.html, /Return to the application/, outcome.url);
      expect(back.href.startsWith(APP_CALLBACK)).toBe(true);
      expect(Object.fromEntries(back.searchParams)).toMatchObject({
        error: "access_denied",
        error_code: "admin_approval_required",
        provider_error_code: "90094",
        state: "app-state-1",
      });
      expect(back.searchParams.get("error_description")).toMatch(/administrator/);

      const pending = await w.api("GET", "/v3/approvals?status=pending");
      expect(pending.body.data).toHaveLength(1);
      expect(pending.body.data[0]).toMatchObject({
        provider: "microsoft",
        provider_tenant: w.tenant.id,
        email: w.megan.userPrincipalName,
        outcome: "admin_approval_required",
        status: "pending",
      });
      const required = verify(await receiver.waitFor("grant.approval_required"));
      expect(required.data.object).toMatchObject({
        id: pending.body.data[0].id,
        outcome: "admin_approval_required",
        provider_error_code: 90094,
      });
      expect((await w.api("GET", "/v3/grants")).body.data).toHaveLength(0);

      // The administrator opens the shared page and approves through Connect's admin-consent link.
      const page = await fetch(linkIn(outcome.html, /Approval page/, outcome.url));
      const pageHtml = await page.text();
      expect(pageHtml).toContain(
        "Approve Northwind CRM for your organization".replace("organization", "organisation"),
      );
      expect(pageHtml).toContain(w.megan.userPrincipalName);
      const adminBrowser = new Browser();
      const consent = expectPage(
        await signInAndWalk(
          adminBrowser,
          linkIn(pageHtml, /approve as an administrator/, page.url),
          w.admin,
        ),
      );
      const approved = expectApp(await submit(adminBrowser, consent, { decision: "accept" }));
      expect(approved.href.startsWith(APP_CALLBACK)).toBe(true);
      expect(approved.searchParams.get("admin_consent")).toBe("true");
      expect(approved.searchParams.get("tenant")).toBe(w.tenant.id);

      const granted = verify(await receiver.waitFor("grant.approval_granted"));
      expect(granted.data.object).toMatchObject({
        id: pending.body.data[0].id,
        status: "approved",
      });
      expect((await w.api("GET", "/v3/approvals?status=pending")).body.data).toHaveLength(0);
      const email = (await t.database.db
        .selectFrom("connect.outbox" as never)
        .select(["kind", "payload"] as never)
        .where("kind" as never, "=", "email.send" as never)
        .executeTakeFirstOrThrow()) as { payload: { to: string[]; text: string } };
      expect(email.payload.to).toEqual([w.megan.userPrincipalName]);
      const resume = new URL(granted.data.object.resume_url);
      expect(email.payload.text).toContain(resume.href);

      // Megan's one-click link resumes the connection with her email filled in.
      const resumed = await walk(new Browser(), resume);
      expect(resumed.at).toBe("page");
      const callback = expectApp(await signInAndWalk(new Browser(), resume, w.megan));
      const tokens = await exchange(servers, w, callback.searchParams.get("code") ?? "");
      expect(tokens.body.email).toBe(w.megan.userPrincipalName);
      const created = verify(await receiver.waitFor("grant.created"));
      expect(created.data.object.id).toBe(tokens.body.grant_id);

      // The administrator revokes the app's access (Identity's grant revocation service; the
      // admin API's DELETE is in approval-requested.test.ts). An hour on, the access token is
      // due: the next refresh is refused and invalidates the grant at once.
      for (const g of await listDelegatedPermissionGrants(t.database.db, w.tenant.id))
        await revokeDelegatedPermissionGrant(t.database.db, w.tenant.id, g.id, CLI_ACTOR);
      servers.clock.offsetMs = 60 * 60 * 1000;
      const messages = await w.api("GET", `/v3/grants/${tokens.body.grant_id}/messages`);
      servers.clock.offsetMs = 0;
      expect(messages.status).toBe(401);
      expect(messages.body.error.type).toBe("invalid_grant");
      const expired = verify(await receiver.waitFor("grant.expired"));
      expect(expired.data.object).toMatchObject({
        id: tokens.body.grant_id,
        grant_status: "invalid",
      });
      expect((await w.api("GET", "/v3/grants?grant_status=invalid")).body.data).toHaveLength(1);
    });
  },
);
