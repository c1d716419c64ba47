import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../src/platform/webhooks/index.ts";
import { expectPage, signInAndWalk, submit } from "../identity/consent/support.ts";
import { Browser } from "../identity/oauth/support/browser.ts";
import { type IdentityServer, startIdentity } from "../identity/oauth/support/fixture.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import {
  type ConnectServers,
  type Receiver,
  seedConnectedWorld,
  startConnect,
  startReceiver,
} from "./support/connect-world.ts";
import { authUrl, linkIn } from "./support/flow.ts";

describe.each(["pglite", "postgres"] as const)(
  "approval requested, approved in Identity, on %s",
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

    it("90095 becomes approval_requested; Identity's signed consent_request.approved fires grant.approval_granted", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedConnectedWorld(t, identity, servers, `cx-req-${kind}`, {
        adminConsentWorkflowEnabled: true,
      });
      const hook = await w.api("POST", "/v3/webhooks", {
        webhook_url: receiver.url,
        trigger_types: ["grant.approval_required", "grant.approval_granted"],
      });
      const browser = new Browser();
      const page = expectPage(
        await signInAndWalk(
          browser,
          authUrl(servers, w, { login_hint: w.megan.userPrincipalName }),
          w.megan,
        ),
      );
      expect(page.html).toContain("Approval required");
      const outcome = expectPage(await submit(browser, page, {}, "return"));
      expect(outcome.html).toContain("Approval requested");
      const back = linkIn(outcome.html, /Return to the application/, outcome.url);
      expect(back.searchParams.get("error_code")).toBe("approval_requested");
      expect(back.searchParams.get("provider_error_code")).toBe("90095");
      await receiver.waitFor("grant.approval_required");
      const [pending] = (await w.api("GET", "/v3/approvals")).body.data;
      expect(pending).toMatchObject({
        outcome: "approval_requested",
        status: "pending",
        email: w.megan.userPrincipalName,
      });

      // The organisation's administrator registers Connect's receiver in Identity.
      const sub = await w.api("POST", "/v3/connectors/microsoft/identity-webhook");
      expect(sub.status).toBe(200);
      const { url, secret } = sub.body.data as { url: string; secret: string };
      const send = async (body: unknown, secrets = [secret]) => {
        const text = JSON.stringify(body);
        const headers = signWebhook({
          id: `msg_${Date.now()}`,
          timestamp: Math.floor(Date.now() / 1000),
          body: text,
          secrets,
        });
        return fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: text,
        });
      };
      const approvedEvent = (appId: string) => ({
        type: "consent_request.approved",
        timestamp: new Date().toISOString(),
        data: {
          id: "9d1c6f0e-0000-4000-8000-000000000001",
          tenantId: w.tenant.id,
          status: "approved",
          app: { appId, displayName: "Northwind CRM (Connect)" },
          requesters: [{ userPrincipalName: w.megan.userPrincipalName }],
        },
      });

      // Forged or foreign events change nothing.
      const forged = await send(approvedEvent(w.providerApp.appId), [
        `whsec_${Buffer.alloc(32, 1).toString("base64")}`,
      ]);
      expect(forged.status).toBe(401);
      expect((await send(approvedEvent("00000000-0000-4000-8000-000000000000"))).status).toBe(204);
      expect((await w.api("GET", "/v3/approvals?status=pending")).body.data).toHaveLength(1);

      const delivered = await send(approvedEvent(w.providerApp.appId));
      expect(delivered.status).toBe(204);
      const granted = new Webhook(hook.body.data.webhook_secret).verify(
        (await receiver.waitFor("grant.approval_granted")).body,
        (await receiver.waitFor("grant.approval_granted")).headers,
      ) as Record<string, any>;
      expect(granted.data.object).toMatchObject({ id: pending.id, status: "approved" });
      expect(granted.data.object.resume_url).toContain(`/v3/connect/resume/${pending.id}`);
      expect((await w.api("GET", "/v3/approvals?status=pending")).body.data).toHaveLength(0);

      // The delivery log shows both events, and one can be sent again by hand.
      const log = await w.api("GET", `/v3/webhooks/${hook.body.data.id}/deliveries`);
      expect(log.body.data.map((d: { event_type: string }) => d.event_type).sort()).toEqual([
        "grant.approval_granted",
        "grant.approval_required",
      ]);
      const again = await w.api(
        "POST",
        `/v3/webhooks/${hook.body.data.id}/deliveries/${log.body.data[0].event_id}/redeliver`,
      );
      expect(again.status).toBe(200);
    });
  },
);
