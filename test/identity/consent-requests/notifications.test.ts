import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { ParsedMail } from "mailparser";
import pino from "pino";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  type IdentityBackground,
  startIdentityBackground,
} from "../../../src/identity/background.ts";
import {
  approveConsentRequest,
  createWebhookEndpoint,
  getRequesterView,
  listWebhookDeliveries,
} from "../../../src/identity/consent-requests/index.ts";
import { KeyRing } from "../../../src/platform/crypto/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { downPort, listenReceiver, listenSmtp, waitFor } from "./servers.ts";
import { ask, seedWorkflow } from "./support.ts";

const PUBLIC_URL = "https://id.contoso.test";
const links = { publicUrl: PUBLIC_URL };
const logger = pino({ level: "silent" });
const DAY = 24 * 3600 * 1000;

describe.each(["pglite", "postgres"] as const)("consent request notifications on %s", (kind) => {
  let t: TestDatabase | undefined;
  const keyRing = new KeyRing([randomBytes(32)]);
  const running: IdentityBackground[] = [];
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((b) => b.stop()));
    await Promise.all(closers.splice(0).map((c) => c()));
  });
  afterAll(() => t?.close());

  function background(smtpPort: number, options: { manual?: boolean; now?: () => Date } = {}) {
    const b = startIdentityBackground({
      db: t!.database.db,
      logger,
      smtp: { url: `smtp://127.0.0.1:${smtpPort}`, from: "Assent <no-reply@assent.test>" },
      consentRequests: {
        publicUrl: PUBLIC_URL,
        keyRing,
        allowLoopbackWebhooks: true,
        ...(options.now ? { now: options.now } : {}),
      },
      pollMs: 20,
      backoff: { baseMs: 40, capMs: 120 },
      ...(options.manual ? { manual: true } : {}),
    });
    running.push(b);
    return b;
  }

  const mailTo = (inbox: ParsedMail[], domain: string) =>
    inbox.filter((m) => (m.to && !Array.isArray(m.to) ? m.to.text : "").endsWith(`@${domain}`));

  const unfinishedEmails = async (tenantId: string) =>
    Number(
      (
        await sql<{ n: number }>`select count(*)::int as n from identity.outbox
          where tenant_id = ${tenantId} and completed_at is null and dead_at is null`.execute(
          t!.database.db,
        )
      ).rows[0]?.n,
    );

  it("delivers each email exactly once with two workers running", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorkflow(t, "cn-once");
    const smtp = await listenSmtp();
    closers.push(smtp.close);
    background(smtp.port);
    background(smtp.port);
    const { requestId } = await ask(t, w, w.megan);
    await ask(t, w, w.nestor);
    // The reviewers hear of the request (a decision first would make that email moot).
    await waitFor(() => mailTo(smtp.inbox, "cn-once.example").length >= 2, "the reviewers' emails");
    await approveConsentRequest(
      t.database.db,
      w.tenant.id,
      requestId,
      { kind: "user", userId: w.appAdmin.id },
      {},
      { links },
    );
    await waitFor(
      async () =>
        mailTo(smtp.inbox, "cn-once.example").length >= 4 &&
        (await unfinishedEmails(w.tenant.id)) === 0,
      "4 emails",
    );
    await Promise.all(running.splice(0).map((b) => b.stop()));
    const mails = mailTo(smtp.inbox, "cn-once.example");
    const to = (m: ParsedMail) => (m.to && !Array.isArray(m.to) ? m.to.text : "");
    expect(mails.map(to).sort()).toEqual(
      [
        w.megan.userPrincipalName,
        w.nestor.userPrincipalName,
        w.reviewer.userPrincipalName,
        w.appAdmin.userPrincipalName,
      ].sort(),
    );
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(4);
    const review = mails.find((m) => to(m) === w.reviewer.userPrincipalName)!;
    expect(review.subject).toContain("Review the request to use Northwind CRM");
    expect(review.text).toContain(
      `${PUBLIC_URL}/${w.tenant.id}/portal/consent-requests/${requestId}`,
    );
    expect(review.text).toContain("I need my mail in the CRM.");
    expect(review.html).not.toContain("<script>alert(1)</script>");
    const approved = mails.find((m) => to(m) === w.megan.userPrincipalName)!;
    expect(approved.subject).toContain("was approved");
    // No homepage: "Try again" leads to the requester's status page.
    expect(approved.text).toContain(
      `Try again: ${PUBLIC_URL}/${w.tenant.id}/consent-requests/${requestId}`,
    );
  });

  it("keeps the approval when SMTP is down, and delivers the email when SMTP is back", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorkflow(t, "cn-down", { policy: { notifyReviewers: false } });
    const port = await downPort();
    const b = background(port, { manual: true });
    const { requestId } = await ask(t, w, w.megan);
    await approveConsentRequest(
      t.database.db,
      w.tenant.id,
      requestId,
      { kind: "user", userId: w.appAdmin.id },
      {},
      { links },
    );
    const emailRow = async () =>
      (
        await sql<{ attempts: number; last_error: string | null; completed_at: Date | null }>`
          select attempts, last_error, completed_at from identity.outbox
           where tenant_id = ${w.tenant.id} and kind = 'email.send'`.execute(t!.database.db)
      ).rows[0];
    await waitFor(async () => {
      await b.worker.runOnce();
      return ((await emailRow())?.attempts ?? 0) >= 2;
    }, "two failed attempts");
    expect((await emailRow())?.last_error).toMatch(/ECONNREFUSED|connect/i);
    expect((await emailRow())?.completed_at).toBeNull();
    const view = await getRequesterView(t.database.db, {
      tenantId: w.tenant.id,
      requestId,
      userId: w.megan.id,
    });
    expect(view).toMatchObject({ status: "approved", approvedForYou: true });

    const smtp = await listenSmtp([], port);
    closers.push(smtp.close);
    await waitFor(async () => {
      await b.worker.runOnce();
      return (await emailRow())?.completed_at != null;
    }, "delivery after SMTP returns");
    const mails = mailTo(smtp.inbox, "cn-down.example");
    expect(mails.map((m) => m.subject)).toEqual([expect.stringContaining("was approved")]);
    expect(
      (
        await getRequesterView(t.database.db, {
          tenantId: w.tenant.id,
          requestId,
          userId: w.megan.id,
        })
      )?.status,
    ).toBe("approved");
  });

  it("retries a webhook receiver answering 500 until it succeeds, signed, with a delivery log", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorkflow(t, "cn-hook", { policy: { notifyReviewers: false } });
    const receiver = await listenReceiver([500, 500]);
    closers.push(receiver.close);
    const endpoint = await createWebhookEndpoint(
      t.database.db,
      keyRing,
      w.tenant.id,
      { url: receiver.url, eventTypes: ["consent_request.created", "consent_request.approved"] },
      CLI_ACTOR,
      { allowLoopback: true },
    );
    expect(endpoint.secret).toMatch(/^whsec_/);
    const smtp = await listenSmtp();
    closers.push(smtp.close);
    const b = background(smtp.port, { manual: true });
    const { requestId } = await ask(t, w, w.megan);
    await waitFor(async () => {
      await b.worker.runOnce();
      return receiver.received.length >= 3;
    }, "third delivery attempt");
    const log = await listWebhookDeliveries(t.database.db, w.tenant.id, endpoint.id);
    expect(log.map((d) => [d.attempt, d.statusCode]).reverse()).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(log[0]!.eventType).toBe("consent_request.created");
    // The same event id on every attempt, and a valid Standard Webhooks signature.
    const ids = new Set(receiver.received.map((r) => r.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    const last = receiver.received.at(-1)!;
    const verified = new Webhook(endpoint.secret).verify(last.body, {
      "webhook-id": String(last.headers["webhook-id"]),
      "webhook-timestamp": String(last.headers["webhook-timestamp"]),
      "webhook-signature": String(last.headers["webhook-signature"]),
    }) as { type: string; data: { id: string; status: string; app: { appId: string } } };
    expect(verified.type).toBe("consent_request.created");
    expect(verified.data).toMatchObject({
      id: requestId,
      status: "pending",
      app: { appId: w.app.appId },
    });
    // Another tenant cannot read this endpoint's log.
    await expect(
      listWebhookDeliveries(t.database.db, w.publisher.id, endpoint.id),
    ).rejects.toMatchObject({
      status: 404,
    });
  });

  it("expires a request through the worker on a shortened clock and tells the requester", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorkflow(t, "cn-expire", {
      policy: { requestDurationInDays: 1, notifyReviewers: false },
    });
    const smtp = await listenSmtp();
    closers.push(smtp.close);
    let clock = Date.now();
    const b = background(smtp.port, { manual: true, now: () => new Date(clock) });
    const { requestId } = await ask(t, w, w.megan);
    await b.worker.runOnce();
    expect(
      (
        await getRequesterView(t.database.db, {
          tenantId: w.tenant.id,
          requestId,
          userId: w.megan.id,
        })
      )?.status,
    ).toBe("pending");
    clock += 2 * DAY;
    await waitFor(async () => {
      await b.worker.runOnce();
      return mailTo(smtp.inbox, "cn-expire.example").length >= 1;
    }, "the expiry email");
    const [mail] = mailTo(smtp.inbox, "cn-expire.example");
    expect(mail?.subject).toContain("expired");
    const view = await getRequesterView(t.database.db, {
      tenantId: w.tenant.id,
      requestId,
      userId: w.megan.id,
    });
    expect(view?.status).toBe("expired");
    const stored = await sql<{
      status: string;
    }>`select status from identity.consent_requests where id = ${requestId}`.execute(t.database.db);
    expect(stored.rows[0]?.status).toBe("expired");
  });
});
