import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask } from "../identity/consent-requests/support.ts";
import { createScratchPostgres, type TestDatabase } from "../support/databases.ts";
import {
  type SmtpReceiver,
  smtpReceiver,
  type WebhookReceiver,
  webhookReceiver,
} from "./support/receivers.ts";
import {
  adminToken,
  type DeliveryWorld,
  deliveryJobs,
  seedDeliveryWorld,
} from "./support/workflow.ts";
import {
  type IdentityNode,
  openWorldDatabase,
  report,
  secretKey,
  startIdentityNode,
  unfinishedJobs,
  waitFor,
} from "./support/world.ts";

/**
 * A reviewer approves a consent request over the admin API; the node answers 200 and is
 * SIGKILLed before any worker sent the news (it runs no worker: ASSENT_JOBS=false). The
 * decision's emails and webhook were written in the decision's transaction, so a fresh node's
 * worker sends them: each once.
 */
describe("a crash between a decision and its notification", () => {
  let drop: () => Promise<void>;
  let t: TestDatabase;
  let w: DeliveryWorld;
  let url: string;
  let smtp: SmtpReceiver;
  let hooks: WebhookReceiver;
  const nodes: IdentityNode[] = [];
  const key = secretKey();

  beforeAll(async () => {
    const scratch = await createScratchPostgres();
    drop = scratch.drop;
    url = scratch.url;
    t = await openWorldDatabase(url);
    smtp = await smtpReceiver();
    hooks = await webhookReceiver();
    w = await seedDeliveryWorld(t, key, "crash", { apps: 1, webhookUrl: hooks.url });
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await smtp?.down();
    await hooks?.down();
    await t?.close();
    await drop?.();
  });

  const node = async (jobs: boolean) => {
    const started = await startIdentityNode({
      DATABASE_URL: url,
      ASSENT_DATA_DIR: mkdtempSync(join(tmpdir(), "assent-rel-crash-")),
      ASSENT_SECRET_KEY: key,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      ASSENT_JOBS: jobs ? "true" : "false",
      ASSENT_JOBS_POLL_MS: "100",
    });
    nodes.push(started);
    return started;
  };

  it("sends the decision's email and webhook once, from a fresh node", async () => {
    const { requestId } = await ask(t, w, w.megan);
    const deciding = await node(false);
    const token = await adminToken(deciding.url, w, w.appAdmin);
    const approved = await fetch(`${deciding.url}/api/v1/consentRequests/${requestId}/approve`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(approved.status, await approved.clone().text()).toBe(200);
    await deciding.kill();
    expect(deciding.process.child.signalCode).toBe("SIGKILL");
    // Nothing was sent: the news waits in the outbox, with the decision.
    expect(smtp.inbox).toEqual([]);
    expect(hooks.received).toEqual([]);
    expect(await unfinishedJobs(t)).toBeGreaterThan(0);

    const fresh = await node(true);
    await waitFor(
      async () => (await unfinishedJobs(t)) === 0,
      "the fresh worker to drain the outbox",
    );
    await fresh.stop();

    const jobs = await deliveryJobs(t, w.tenant.id);
    const emails = jobs.filter((j) => j.kind === "email.send");
    const webhooks = jobs.filter((j) => j.kind === "webhook.deliver");
    expect(jobs.every((j) => j.completed_at !== null && j.dead_at === null)).toBe(true);
    // Each email once (its Message-ID is its job id), the approval among them.
    expect([...smtp.counts().values()].every((n) => n === 1)).toBe(true);
    expect(smtp.inbox).toHaveLength(emails.length);
    const approvedMail = smtp.inbox.filter(
      (m) => m.subject?.includes("was approved") && JSON.stringify(m.to).includes("megan@"),
    );
    expect(approvedMail).toHaveLength(1);
    // Each webhook once, consent_request.approved among them.
    expect([...hooks.counts().values()].every((n) => n === 1)).toBe(true);
    expect(hooks.received).toHaveLength(webhooks.length);
    expect(hooks.received.filter((r) => r.type === "consent_request.approved")).toHaveLength(1);
    report(
      "decision-crash",
      `approval answered 200, node SIGKILLed before sending; a fresh node sent ${smtp.inbox.length} emails and ${hooks.received.length} webhooks, each once (approved: 1 email, 1 webhook)`,
    );
  });
});
