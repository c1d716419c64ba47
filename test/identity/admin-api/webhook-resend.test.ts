import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type IdentityBackground,
  startIdentityBackground,
} from "../../../src/identity/background.ts";
import { emitConsentRequestEvent } from "../../../src/identity/consent-requests/webhook-endpoints.ts";
import { inTransaction } from "../../../src/platform/db/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { listenReceiver, waitFor } from "../consent-requests/servers.ts";
import { auditEvents, expectCall, expectError, portalToken } from "./admin-http.ts";
import {
  type AdminTenant,
  type IdentityServer,
  seedAdminTenant,
  startIdentity,
} from "./support.ts";

/**
 * POST /api/v1/webhookEndpoints/{id}/deliveries/{deliveryId}/resend: the real worker sends the
 * event again (same webhook-id), the resend is audited, another tenant cannot reach the
 * endpoint, and an event whose outbox job retention purged is refused in words.
 */
describe.each(["pglite", "postgres"] as const)("admin API: webhook resend on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let background: IdentityBackground;
  let receiver: Awaited<ReturnType<typeof listenReceiver>>;
  let a: AdminTenant;
  let b: AdminTenant;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    server = await startIdentity(t);
    a = await seedAdminTenant(t, server, `resend-a-${kind}`);
    b = await seedAdminTenant(t, server, `resend-b-${kind}`);
    receiver = await listenReceiver();
    background = startIdentityBackground({
      db: t.database.db,
      logger: pino({ level: "silent" }),
      smtp: undefined,
      consentRequests: {
        publicUrl: server.baseUrl,
        keyRing: server.keyRing,
        allowLoopbackWebhooks: true,
      },
      manual: true,
    });
  });
  afterAll(async () => {
    await background?.stop();
    await receiver?.close();
    await server?.close();
    await t?.close();
  });

  it("sends a delivered event again, audited and tenant-isolated", async (ctx) => {
    if (!t) return ctx.skip();
    const admin = await portalToken(t, a, a.users.globalAdmin);
    const endpoint = await expectCall(server, "POST", "/api/v1/webhookEndpoints", admin, {
      status: 201,
      body: { url: receiver.url, eventTypes: ["consent_request.created"] },
    });
    await inTransaction(t.database.db, (trx) =>
      emitConsentRequestEvent(
        trx,
        a.tenant.id,
        "consent_request.created",
        { id: "r1" },
        new Date(),
      ),
    );
    await waitFor(async () => {
      await background.worker.runOnce();
      return receiver.received.length >= 1;
    }, "the first delivery");
    const deliveriesPath = `/api/v1/webhookEndpoints/${endpoint.id}/deliveries`;
    const log = await expectCall(server, "GET", deliveriesPath, admin, {
      route: "/api/v1/webhookEndpoints/{id}/deliveries",
    });
    expect(log.value).toHaveLength(1);
    const resend = `${deliveriesPath}/${log.value[0].id}/resend`;
    const route = "/api/v1/webhookEndpoints/{id}/deliveries/{deliveryId}/resend";

    // Another tenant's administrator does not find the endpoint; a Reports Reader may not act.
    await expectError(
      server,
      "POST",
      resend,
      await portalToken(t, b, b.users.globalAdmin),
      404,
      "webhook_endpoint.not_found",
    );
    await expectError(
      server,
      "POST",
      resend,
      await portalToken(t, a, a.users.reader),
      403,
      "authorization.role_required",
    );
    await expectError(
      server,
      "POST",
      `${deliveriesPath}/not-a-delivery/resend`,
      admin,
      404,
      "webhook_delivery.not_found",
    );

    const answer = await expectCall(server, "POST", resend, admin, { status: 202, route });
    expect(answer).toEqual({
      eventId: receiver.received[0]?.headers["webhook-id"],
      eventType: "consent_request.created",
    });
    await waitFor(async () => {
      await background.worker.runOnce();
      return receiver.received.length >= 2;
    }, "the resent delivery");
    expect(receiver.received[1]?.headers["webhook-id"]).toBe(answer.eventId);
    expect(receiver.received[1]?.body).toBe(receiver.received[0]?.body);
    const [event] = await auditEvents(t, a.tenant.id, "Resend webhook delivery");
    expect(event?.additionalDetails).toMatchObject({ eventId: answer.eventId });

    // Once retention has purged the event's outbox jobs, there is nothing to send again.
    await sql`delete from identity.outbox where tenant_id = ${a.tenant.id} and kind = 'webhook.deliver'`.execute(
      t.database.db,
    );
    const message = await expectError(
      server,
      "POST",
      resend,
      admin,
      409,
      "webhook_delivery.event_purged",
    );
    expect(message).toContain("no longer kept");
  });
});
