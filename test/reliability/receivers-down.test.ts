import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAIL_APPLICATION_ID } from "../../src/identity/apps/index.ts";
import {
  approveConsentRequest,
  submitConsentRequest,
} from "../../src/identity/consent-requests/index.ts";
import { createScratchPostgres, type TestDatabase } from "../support/databases.ts";
import {
  type SmtpReceiver,
  smtpReceiver,
  type WebhookReceiver,
  webhookReceiver,
} from "./support/receivers.ts";
import { type DeliveryWorld, deliveryJobs, seedDeliveryWorld } from "./support/workflow.ts";
import {
  type IdentityNode,
  openWorldDatabase,
  report,
  SHORT,
  secretKey,
  startIdentityNode,
  unfinishedJobs,
  waitFor,
} from "./support/world.ts";

/**
 * The SMTP server and the webhook receiver are down for a while (tens of seconds in the short
 * form, minutes in the long one, with the retry backoff made small through configuration) while
 * consent requests are asked for and approved. When they return, every email and every webhook
 * produced meanwhile arrives, each exactly once (counted at the receivers by Message-ID and by
 * webhook-id), and no job is given up.
 */
describe("SMTP and webhook receivers down for a while", () => {
  let drop: () => Promise<void>;
  let t: TestDatabase;
  let w: DeliveryWorld;
  let smtp: SmtpReceiver;
  let hooks: WebhookReceiver;
  let node: IdentityNode;
  const key = secretKey();
  const apps = SHORT ? 3 : 8;
  const outageMs = SHORT ? 15_000 : 180_000;

  beforeAll(async () => {
    const scratch = await createScratchPostgres();
    drop = scratch.drop;
    t = await openWorldDatabase(scratch.url);
    smtp = await smtpReceiver();
    hooks = await webhookReceiver();
    w = await seedDeliveryWorld(t, key, "down", { apps, webhookUrl: hooks.url });
    node = await startIdentityNode({
      DATABASE_URL: scratch.url,
      ASSENT_DATA_DIR: mkdtempSync(join(tmpdir(), "assent-rel-down-")),
      ASSENT_SECRET_KEY: key,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      ASSENT_JOBS_POLL_MS: "100",
      ASSENT_JOBS_RETRY_BASE_MS: SHORT ? "300" : "2000",
      ASSENT_JOBS_RETRY_CAP_MS: SHORT ? "5000" : "30000",
    });
  });
  afterAll(async () => {
    await node?.stop();
    await smtp?.down();
    await hooks?.down();
    await t?.close();
    await drop?.();
  });

  it("delivers everything produced during the outage once it ends, exactly once each", async () => {
    await smtp.down();
    await hooks.down();
    const downAt = Date.now();
    const links = { publicUrl: node.url };
    for (const app of w.apps) {
      const { requestId } = await submitConsentRequest(t.database.db, {
        tenantId: w.tenant.id,
        clientApplicationId: app.id,
        userId: w.megan.id,
        justification: "Needed for the quarterly report.",
        requested: [
          { resourceApplicationId: MAIL_APPLICATION_ID, scopes: ["openid", "Mail.Read"] },
        ],
      });
      // Reviewers hear of the request before it is decided (else that email is moot).
      await waitFor(
        async () =>
          // Per earlier request three emails (two reviewers, one approval); this one's two.
          (await deliveryJobs(t, w.tenant.id)).filter((j) => j.kind === "email.send").length >=
          3 * w.apps.indexOf(app) + 2,
        "the reviewers' emails to be queued",
      );
      await approveConsentRequest(
        t.database.db,
        w.tenant.id,
        requestId,
        { kind: "user", userId: w.appAdmin.id },
        {},
        { links },
      );
    }
    // Every delivery failed at least twice while the receivers were down.
    await waitFor(
      async () => {
        const jobs = await deliveryJobs(t, w.tenant.id);
        return jobs.length > 0 && jobs.every((j) => j.attempts >= 2 && j.completed_at === null);
      },
      "two failed attempts of every delivery",
      outageMs + 60_000,
    );
    const remaining = outageMs - (Date.now() - downAt);
    if (remaining > 0) await delay(remaining);
    const failed = await deliveryJobs(t, w.tenant.id);
    expect(failed.every((j) => j.completed_at === null && j.dead_at === null)).toBe(true);
    expect(failed.every((j) => /ECONNREFUSED|connect/i.test(j.last_error ?? ""))).toBe(true);
    expect(smtp.inbox).toEqual([]);
    expect(hooks.received).toEqual([]);

    await smtp.up();
    await hooks.up();
    await waitFor(
      async () => (await unfinishedJobs(t)) === 0,
      "every delivery after the receivers return",
      180_000,
    );
    const jobs = await deliveryJobs(t, w.tenant.id);
    const emails = jobs.filter((j) => j.kind === "email.send");
    const webhooks = jobs.filter((j) => j.kind === "webhook.deliver");
    expect(jobs.filter((j) => j.dead_at !== null)).toEqual([]);
    // Exactly once each: as many distinct ids as jobs, no id twice.
    expect(smtp.counts().size).toBe(emails.length);
    expect([...smtp.counts().values()].every((n) => n === 1)).toBe(true);
    expect(hooks.counts().size).toBe(webhooks.length);
    expect([...hooks.counts().values()].every((n) => n === 1)).toBe(true);
    // Per request: two reviewer emails, one approval email; a created and an approved webhook.
    expect(emails).toHaveLength(3 * apps);
    expect(hooks.received.filter((r) => r.type === "consent_request.approved")).toHaveLength(apps);
    expect(hooks.received.filter((r) => r.type === "consent_request.created")).toHaveLength(apps);
    const attempts = jobs.map((j) => j.attempts);
    report(
      "receivers-down",
      `down ${Math.round((Date.now() - downAt) / 1000)} s; ${emails.length} emails and ${webhooks.length} webhooks queued meanwhile, all delivered after, each once; attempts per job ${Math.min(...attempts)}-${Math.max(...attempts)}, none given up`,
    );
  });
});
