import { randomUUID } from "node:crypto";
import type { ParsedMail } from "mailparser";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordPendingApproval } from "../../src/connect/approvals/index.ts";
import { connectDb } from "../../src/connect/index.ts";
import type { IdentityBackground } from "../../src/identity/background.ts";
import { generateWebhookSecret, signWebhook } from "../../src/platform/webhooks/index.ts";
import { expectApp, expectPage, signInAndWalk, submit } from "../identity/consent/support.ts";
import {
  linksOf,
  statusLinkOf,
  textOf,
  waitForMail,
} from "../identity/consent-requests/pages-support.ts";
import { listenSmtp, type TestSmtp } from "../identity/consent-requests/servers.ts";
import { Browser } from "../identity/oauth/support/browser.ts";
import {
  grantTenantWide,
  type IdentityServer,
  startIdentity,
} from "../identity/oauth/support/fixture.ts";
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
import { adminApiOf, startIdentityWorker } from "./support/identity-admin.ts";

const TRIGGERS = [
  "grant.created",
  "grant.updated",
  "grant.expired",
  "grant.approval_required",
  "grant.approval_granted",
];
const HOUR_MS = 60 * 60 * 1000;

/**
 * Issue 8's way back, end to end against a running Assent Identity with its real admin consent
 * workflow: in the first test nothing signs an event or writes a row on Identity's behalf. The
 * user's organisation revokes the app, the user asks for approval on Identity's "Approval
 * required" page, the administrator approves over Identity's admin API, Identity's worker
 * delivers `consent_request.approved` to Connect, and the user's resume link gets the same grant
 * back. The second test signs events itself, for the matching rules a fixed-tenant Identity
 * connector never reaches.
 */
describe.each(["pglite", "postgres"] as const)(
  "approval requested in Identity, approved by its administrator, on %s",
  (kind) => {
    let t: TestDatabase | undefined;
    let identity: IdentityServer;
    let identityWorker: IdentityBackground;
    let smtp: TestSmtp;
    const inbox: ParsedMail[] = [];
    let servers: ConnectServers;
    let receiver: Receiver;
    beforeAll(async () => {
      t = await openTestDatabase(kind);
      if (!t) return;
      identity = await startIdentity(t);
      identityWorker = startIdentityWorker(t, identity);
      smtp = await listenSmtp(inbox);
      servers = await startConnect(t, identity, {
        smtp: { url: `smtp://127.0.0.1:${smtp.port}`, from: "Assent Connect <connect@test>" },
      });
      receiver = await startReceiver();
    });
    afterAll(async () => {
      await receiver?.close();
      await servers?.close();
      await smtp?.close();
      await identityWorker?.stop();
      await identity?.close();
      await t?.close();
    });

    it("revoked -> grant.expired; Approval required -> request -> approval_requested; approved in Identity -> grant.approval_granted, email, same grant", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedConnectedWorld(t, identity, servers, `cx-req-${kind}`);
      const admin = await adminApiOf(t, identity, w);
      const hook = await w.api("POST", "/v3/webhooks", {
        webhook_url: receiver.url,
        trigger_types: TRIGGERS,
      });
      const verify = (d: { body: string; headers: Record<string, string> }) =>
        new Webhook(hook.body.data.webhook_secret).verify(d.body, d.headers) as Record<string, any>;

      // The organisation's administrator lets users ask for approval, and subscribes Connect's
      // receiver to Identity's consent_request.approved; the app stores the secret Identity gave.
      const policy = await admin("PUT", "/api/v1/policies/adminConsentRequestPolicy", {
        isEnabled: true,
        reviewers: [{ type: "role", id: "global_administrator" }],
      });
      expect(policy.status, JSON.stringify(policy.body)).toBe(200);
      const target = await w.api("GET", "/v3/connectors/microsoft/identity-webhook");
      expect(target.body.data).toMatchObject({
        event_types: ["consent_request.approved"],
        secret_configured: false,
      });
      const endpoint = await admin("POST", "/api/v1/webhookEndpoints", {
        url: target.body.data.url,
        eventTypes: ["consent_request.approved"],
        description: "Assent Connect: Northwind CRM",
      });
      expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
      const configured = await w.api("PUT", "/v3/connectors/microsoft/identity-webhook", {
        secret: endpoint.body.secret,
      });
      expect(configured.body.data.secret_configured).toBe(true);
      expect(JSON.stringify(configured.body)).not.toContain(endpoint.body.secret);
      const stored = await t.database.db
        .selectFrom("connect.connectors" as never)
        .selectAll()
        .execute();
      expect(JSON.stringify(stored)).not.toContain(endpoint.body.secret.slice(6));

      // Megan connected while the organisation had consented for everyone.
      await grantTenantWide(t, w.tenant.id, w.providerApp.application);
      const first = expectApp(
        await signInAndWalk(
          new Browser(),
          authUrl(servers, w, { login_hint: w.megan.userPrincipalName }),
          w.megan,
        ),
      );
      const tokens = await exchange(servers, w, first.searchParams.get("code") ?? "");
      const grantId = tokens.body.grant_id as string;
      expect(verify(await receiver.waitFor("grant.created")).data.object.id).toBe(grantId);

      // The administrator revokes the app in Identity. An hour on, the access token is due: the
      // next refresh is refused, the grant is invalid and grant.expired fires at once.
      const held = await admin("GET", "/api/v1/oauth2PermissionGrants");
      const crmGrants = held.body.value.filter(
        (g: { clientAppId: string }) => g.clientAppId === w.providerApp.appId,
      );
      expect(crmGrants.length).toBeGreaterThan(0);
      for (const g of crmGrants)
        expect((await admin("DELETE", `/api/v1/oauth2PermissionGrants/${g.id}`)).status).toBe(204);
      servers.clock.offsetMs = HOUR_MS;
      const refused = await w.api("GET", `/v3/grants/${grantId}/messages`);
      servers.clock.offsetMs = 0;
      expect(refused.status).toBe(401);
      expect(refused.body.error.type).toBe("invalid_grant");
      expect(verify(await receiver.waitFor("grant.expired")).data.object).toMatchObject({
        id: grantId,
        grant_status: "invalid",
      });
      expect((await w.api("GET", `/v3/grants/${grantId}`)).body.data.grant_status).toBe("invalid");

      // Megan connects again: Identity says "Approval required", and she asks, with a reason,
      // on its form (its CSRF token comes from the page).
      const browser = new Browser();
      const page = expectPage(
        await signInAndWalk(
          browser,
          authUrl(servers, w, { login_hint: w.megan.userPrincipalName, state: "after-revoke" }),
          w.megan,
        ),
      );
      expect(textOf(page.html)).toContain("Approval required");
      expect(page.html).toContain('name="csrf_token"');
      const sent = expectPage(
        await submit(browser, page, { justification: "I file customer mail in the CRM." }),
      );
      expect(textOf(sent.html)).toContain("Request sent");
      const requestId = statusLinkOf(sent).pathname.split("/").at(-1) as string;

      // Back at the app, through Connect: approval_requested, a pending approval, a webhook.
      const outcome = expectPage(await submit(browser, sent));
      expect(outcome.url.origin).toBe(servers.connectUrl);
      const back = linkIn(outcome.html, /Return to the application/, outcome.url);
      expect(Object.fromEntries(back.searchParams)).toMatchObject({
        error: "access_denied",
        error_code: "approval_requested",
        provider_error_code: "90095",
        state: "after-revoke",
      });
      const pending = (await w.api("GET", "/v3/approvals?status=pending")).body.data;
      expect(pending).toHaveLength(1);
      expect(pending[0]).toMatchObject({
        id: back.searchParams.get("pending_approval_id"),
        outcome: "approval_requested",
        provider_tenant: w.tenant.id,
        email: w.megan.userPrincipalName,
      });
      expect(verify(await receiver.waitFor("grant.approval_required")).data.object).toMatchObject({
        id: pending[0].id,
        outcome: "approval_requested",
        provider_error_code: 90095,
      });

      // Events not signed with the configured secret change nothing.
      const forgedBody = JSON.stringify({ type: "consent_request.approved", data: {} });
      const forged = await fetch(target.body.data.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...signWebhook({
            id: "msg_forged",
            timestamp: Math.floor(Date.now() / 1000),
            body: forgedBody,
            secrets: [generateWebhookSecret()],
          }),
        },
        body: forgedBody,
      });
      expect(forged.status).toBe(401);
      expect((await w.api("GET", "/v3/approvals?status=pending")).body.data).toHaveLength(1);

      // The administrator approves in Identity; Identity's worker delivers the event to Connect.
      const approved = await admin("POST", `/api/v1/consentRequests/${requestId}/approve`, {});
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
      const granted = verify(await receiver.waitFor("grant.approval_granted"));
      expect(granted.data.object).toMatchObject({ id: pending[0].id, status: "approved" });
      expect((await w.api("GET", "/v3/approvals?status=pending")).body.data).toHaveLength(0);
      const log = await admin("GET", `/api/v1/webhookEndpoints/${endpoint.body.id}/deliveries`);
      expect(log.body.value).toContainEqual(
        expect.objectContaining({ eventType: "consent_request.approved", statusCode: 204 }),
      );

      // Megan's email carries the one-click link; it leads to the same grant, valid again.
      const mail = await waitForMail(inbox, w.megan.userPrincipalName, /finish connecting/);
      const resume = new URL(granted.data.object.resume_url);
      expect(linksOf(mail)).toContain(resume.href);
      const callback = expectApp(await signInAndWalk(new Browser(), resume, w.megan));
      const again = await exchange(servers, w, callback.searchParams.get("code") ?? "");
      expect(again.status).toBe(200);
      expect(again.body.grant_id).toBe(grantId);
      expect((await w.api("GET", `/v3/grants/${grantId}`)).body.data.grant_status).toBe("valid");
      const messages = await w.api("GET", `/v3/grants/${grantId}/messages`);
      expect(messages.status).toBe(200);
      expect(messages.body.data[0].subject).toBe("Renewal signed");
    });

    it("an approval also reaches the requesters recorded under their email domain, and only for the connector's client id", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedConnectedWorld(t, identity, servers, `cx-req-mail-${kind}`);
      const secret = generateWebhookSecret();
      await w.api("PUT", "/v3/connectors/microsoft/identity-webhook", { secret });
      const target = (await w.api("GET", "/v3/connectors/microsoft/identity-webhook")).body.data;
      // A refusal recorded under the person's email domain (no fixed tenant, no token to read).
      await recordPendingApproval(connectDb(t.database), {
        applicationId: w.connectApp.id,
        provider: "microsoft",
        providerTenant: "fabrikam.example",
        email: "Lee@Fabrikam.example",
        outcome: "approval_requested",
        errorCode: "90095",
        errorDescription: undefined,
        redirectUri: APP_CALLBACK,
        scope: ["openid"],
      });
      const send = (appId: string) => {
        const body = JSON.stringify({
          type: "consent_request.approved",
          timestamp: new Date().toISOString(),
          data: {
            id: randomUUID(),
            tenantId: randomUUID(),
            status: "approved",
            app: { appId, displayName: "Northwind CRM" },
            requesters: [{ userPrincipalName: "lee@fabrikam.example" }],
          },
        });
        const headers = signWebhook({
          id: `msg_${randomUUID().replaceAll("-", "")}`,
          timestamp: Math.floor(Date.now() / 1000),
          body,
          secrets: [secret],
        });
        return fetch(target.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
        });
      };
      expect((await send(randomUUID())).status).toBe(204);
      expect((await w.api("GET", "/v3/approvals?status=pending")).body.data).toHaveLength(1);
      expect((await send(w.providerApp.appId)).status).toBe(204);
      expect((await w.api("GET", "/v3/approvals?status=pending")).body.data).toHaveLength(0);
      expect((await w.api("GET", "/v3/approvals?status=approved")).body.data).toMatchObject([
        { email: "lee@fabrikam.example", provider_tenant: "fabrikam.example" },
      ]);
    });
  },
);
