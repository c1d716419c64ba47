import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { sql } from "kysely";
import pino from "pino";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorker, type Worker } from "../../src/platform/jobs/index.ts";
import {
  createWebhookDeliveryHandler,
  enqueueWebhook,
  generateWebhookSecret,
  WEBHOOK_JOB_KIND,
  type WebhookEndpointTarget,
} from "../../src/platform/webhooks/index.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";

const logger = pino({ level: "silent" });
const SCHEMA = "identity";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 answering each request with the next scripted reply. */
async function listenReceiver() {
  const received: Received[] = [];
  const script: Array<{
    status: number;
    body?: string;
    headers?: Record<string, string>;
    hang?: boolean;
  }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const reply = script.shift() ?? { status: 200 };
      if (reply.hang) return; // never answers
      res.writeHead(reply.status, reply.headers ?? { "content-type": "text/plain" });
      res.end(reply.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface LogRow {
  attempt: number;
  status_code: number | null;
  response_excerpt: string | null;
  error: string | null;
  duration_ms: number;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  tenant_id: string | null;
  url: string;
}

async function deliveryLog(t: TestDatabase, endpointId: string): Promise<LogRow[]> {
  const r =
    await sql<LogRow>`select * from identity.webhook_deliveries where endpoint_id = ${endpointId} order by created_at, attempt`.execute(
      t.database.db,
    );
  return r.rows;
}

async function jobOf(t: TestDatabase, endpointId: string) {
  const r = await sql<{
    attempts: number;
    completed_at: Date | null;
    dead_at: Date | null;
    last_error: string | null;
    run_at: Date;
    now: Date;
  }>`select attempts, completed_at, dead_at, last_error, run_at, now() as now from identity.outbox
      where kind = ${WEBHOOK_JOB_KIND} and payload->>'endpointId' = ${endpointId}`.execute(
    t.database.db,
  );
  return r.rows[0];
}

describe.each(["pglite", "postgres"] as const)("webhook delivery on %s", (kind) => {
  let t: TestDatabase | undefined;
  let receiver: Awaited<ReturnType<typeof listenReceiver>>;
  const endpoints = new Map<string, WebhookEndpointTarget>();
  const gone: string[] = [];
  let worker: Worker;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    receiver = await listenReceiver();
    if (!t) return;
    worker = createWorker({
      db: t.database.db,
      schema: SCHEMA,
      logger,
      backoff: { baseMs: 40, capMs: 80 },
      handlers: {
        [WEBHOOK_JOB_KIND]: createWebhookDeliveryHandler({
          db: t.database.db,
          schema: SCHEMA,
          allowLoopback: true,
          timeoutMs: 300,
          resolveEndpoint: async (id) => endpoints.get(id),
          onGone: async (id) => void gone.push(id),
        }),
      },
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  /** Runs rounds until the endpoint's job is finished (delivered or dead). */
  async function settle(endpointId: string) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const job = await jobOf(t!, endpointId);
      if (job?.completed_at || job?.dead_at) return job;
      if (Date.now() > deadline) throw new Error("webhook job did not settle");
      await worker.runOnce();
      await delay(20);
    }
  }

  it("retries a receiver answering 500 and delivers on the third attempt, signed", async (ctx) => {
    if (!t) return ctx.skip();
    const secret = generateWebhookSecret();
    endpoints.set("ep-retry", { url: receiver.url, secrets: [secret] });
    receiver.script.push(
      { status: 500, body: "database down" },
      { status: 500, body: "still down" },
    );
    const before = receiver.received.length;
    const { eventId } = await t.database.transaction((trx) =>
      enqueueWebhook(trx, SCHEMA, {
        endpointId: "ep-retry",
        tenantId: "tenant-a",
        eventType: "consent_request.approved",
        occurredAt: new Date("2030-01-01T00:00:00Z"),
        data: { id: "req-1", app: "<Contoso>" },
      }),
    );
    const job = await settle("ep-retry");
    expect(job?.completed_at).toBeInstanceOf(Date);
    expect(job?.attempts).toBe(3);

    const requests = receiver.received.slice(before);
    expect(requests).toHaveLength(3);
    const log = await deliveryLog(t, "ep-retry");
    expect(log.map((r) => [r.attempt, r.status_code, r.response_excerpt])).toEqual([
      [1, 500, "database down"],
      [2, 500, "still down"],
      [3, 200, ""],
    ]);
    expect(log.every((r) => r.event_id === eventId && r.tenant_id === "tenant-a")).toBe(true);
    expect(
      log.every((r) => r.event_type === "consent_request.approved" && r.url === receiver.url),
    ).toBe(true);

    for (const request of requests) {
      // The same webhook-id on every retry (receivers dedupe on it).
      expect(request.headers["webhook-id"]).toBe(eventId);
      expect(request.headers["content-type"]).toBe("application/json");
      const headers = {
        "webhook-id": String(request.headers["webhook-id"]),
        "webhook-timestamp": String(request.headers["webhook-timestamp"]),
        "webhook-signature": String(request.headers["webhook-signature"]),
      };
      // Verified by the Standard Webhooks reference library, not by our own code.
      expect(new Webhook(secret).verify(request.body, headers)).toEqual({
        type: "consent_request.approved",
        timestamp: "2030-01-01T00:00:00.000Z",
        data: { id: "req-1", app: "<Contoso>" },
      });
      expect(() => new Webhook(generateWebhookSecret()).verify(request.body, headers)).toThrow();
      expect(() => new Webhook(secret).verify(`${request.body} `, headers)).toThrow();
    }
  });

  it("signs with every secret during a rotation", async (ctx) => {
    if (!t) return ctx.skip();
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    endpoints.set("ep-rotate", { url: receiver.url, secrets: [current, previous] });
    const before = receiver.received.length;
    await enqueueWebhook(t.database.db, SCHEMA, {
      endpointId: "ep-rotate",
      eventType: "grant.created",
      data: {},
    });
    await settle("ep-rotate");
    const [request] = receiver.received.slice(before);
    const headers = {
      "webhook-id": String(request?.headers["webhook-id"]),
      "webhook-timestamp": String(request?.headers["webhook-timestamp"]),
      "webhook-signature": String(request?.headers["webhook-signature"]),
    };
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(current).verify(request!.body, headers)).toBeTruthy();
    expect(new Webhook(previous).verify(request!.body, headers)).toBeTruthy();
  });

  it("logs a timeout as a failed attempt without a status, and retries", async (ctx) => {
    if (!t) return ctx.skip();
    endpoints.set("ep-slow", { url: receiver.url, secrets: [generateWebhookSecret()] });
    receiver.script.push({ status: 200, hang: true });
    await enqueueWebhook(t.database.db, SCHEMA, {
      endpointId: "ep-slow",
      eventType: "grant.created",
      data: {},
    });
    await settle("ep-slow");
    const log = await deliveryLog(t, "ep-slow");
    expect(log[0]).toMatchObject({ attempt: 1, status_code: null });
    expect(log[0]?.error).toMatch(/did not answer within 300 ms/);
    expect(log[0]?.duration_ms).toBeGreaterThanOrEqual(250);
    expect(log.at(-1)).toMatchObject({ attempt: 2, status_code: 200 });
  });

  it("gives up on 410 Gone at once and reports the endpoint", async (ctx) => {
    if (!t) return ctx.skip();
    endpoints.set("ep-gone", { url: receiver.url, secrets: [generateWebhookSecret()] });
    receiver.script.push({ status: 410, body: "unsubscribed" });
    await enqueueWebhook(t.database.db, SCHEMA, {
      endpointId: "ep-gone",
      eventType: "grant.created",
      data: {},
    });
    const job = await settle("ep-gone");
    expect(job?.dead_at).toBeInstanceOf(Date);
    expect(job?.last_error).toMatch(/410 Gone/);
    expect(gone).toContain("ep-gone");
    expect(await deliveryLog(t, "ep-gone")).toHaveLength(1);
  });

  it("waits as long as Retry-After says on 429 (bounded)", async (ctx) => {
    if (!t) return ctx.skip();
    endpoints.set("ep-busy", { url: receiver.url, secrets: [generateWebhookSecret()] });
    receiver.script.push({ status: 429, headers: { "retry-after": "120" } });
    await enqueueWebhook(t.database.db, SCHEMA, {
      endpointId: "ep-busy",
      eventType: "grant.created",
      data: {},
    });
    await worker.runOnce();
    const job = await jobOf(t, "ep-busy");
    const wait = job!.run_at.getTime() - job!.now.getTime();
    expect(wait).toBeGreaterThan(110_000);
    expect(wait).toBeLessThanOrEqual(120_000);
    expect(job?.last_error).toBe("the receiver answered HTTP 429");
  });

  it("drops the event when the endpoint was removed, and refuses forbidden targets", async (ctx) => {
    if (!t) return ctx.skip();
    await enqueueWebhook(t.database.db, SCHEMA, {
      endpointId: "ep-deleted",
      eventType: "grant.created",
      data: {},
    });
    expect((await settle("ep-deleted"))?.last_error).toMatch(/removed or disabled/);

    endpoints.set("ep-metadata", {
      url: "http://169.254.169.254/latest/meta-data",
      secrets: [generateWebhookSecret()],
    });
    const before = receiver.received.length;
    await enqueueWebhook(t.database.db, SCHEMA, {
      endpointId: "ep-metadata",
      eventType: "grant.created",
      data: {},
    });
    const job = await settle("ep-metadata");
    expect(job?.dead_at).toBeInstanceOf(Date);
    expect(job?.last_error).toMatch(/link-local/);
    expect((await deliveryLog(t, "ep-metadata"))[0]?.error).toMatch(/link-local/);
    expect(receiver.received.length).toBe(before);
  });

  it("in production mode refuses a loopback receiver without connecting", async (ctx) => {
    if (!t) return ctx.skip();
    endpoints.set("ep-prod", { url: receiver.url, secrets: [generateWebhookSecret()] });
    const production = createWorker({
      db: t.database.db,
      schema: SCHEMA,
      logger,
      handlers: {
        [WEBHOOK_JOB_KIND]: createWebhookDeliveryHandler({
          db: t.database.db,
          schema: SCHEMA,
          allowLoopback: false,
          resolveEndpoint: async (id) => endpoints.get(id),
        }),
      },
    });
    const before = receiver.received.length;
    await enqueueWebhook(t.database.db, SCHEMA, {
      endpointId: "ep-prod",
      eventType: "grant.created",
      data: {},
    });
    expect(await production.runOnce()).toMatchObject({ dead: 1 });
    expect((await jobOf(t, "ep-prod"))?.last_error).toMatch(/loopback/);
    expect(receiver.received.length).toBe(before);
  });

  it("enqueues one event for one endpoint once", async (ctx) => {
    if (!t) return ctx.skip();
    const event = {
      endpointId: "ep-once",
      eventId: "msg_fixed",
      eventType: "grant.created",
      data: {},
    };
    const first = await enqueueWebhook(t.database.db, SCHEMA, event);
    const second = await enqueueWebhook(t.database.db, SCHEMA, event);
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ id: first.id, created: false, eventId: "msg_fixed" });
  });
});
