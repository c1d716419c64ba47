import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { sql } from "kysely";
import { type ParsedMail, simpleParser } from "mailparser";
import pino from "pino";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorker, outboxStats } from "../../src/platform/jobs/index.ts";
import {
  createEmailJobHandler,
  createMailer,
  EMAIL_JOB_KIND,
  enqueueEmail,
  MailNotConfiguredError,
  renderEmail,
} from "../../src/platform/mail/index.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";

const logger = pino({ level: "silent" });
const SCHEMA = "identity";
const FROM = "Assent <no-reply@assent.test>";

interface TestSmtp {
  port: number;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 that files every message it accepts into `inbox`. */
function listenSmtp(
  inbox: ParsedMail[],
  port = 0,
  options: { refuse?: RegExp } = {},
): Promise<TestSmtp> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.refuse?.test(address.address)) {
        return callback(Object.assign(new Error("5.1.1 No such mailbox"), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          inbox.push(mail);
          callback();
        },
        (error) => callback(error),
      );
    },
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      resolve({
        port: (server.server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

async function emailRows(t: TestDatabase, to: string) {
  const r = await sql<{
    id: string;
    attempts: number;
    last_error: string | null;
    completed_at: Date | null;
    dead_at: Date | null;
  }>`select id, attempts, last_error, completed_at, dead_at from identity.outbox
      where kind = ${EMAIL_JOB_KIND} and payload->'to'->>0 = ${to}`.execute(t.database.db);
  return r.rows;
}

describe.each(["pglite", "postgres"] as const)(
  "outbound email through the outbox on %s",
  (kind) => {
    let t: TestDatabase | undefined;
    beforeAll(async () => {
      t = await openTestDatabase(kind);
    });
    afterAll(() => t?.close());

    it("keeps retrying while SMTP is down and delivers once when it is back", async (ctx) => {
      if (!t) return ctx.skip();
      const inbox: ParsedMail[] = [];
      // Find a free port, then take the server down: the address is known but refuses connections.
      const first = await listenSmtp(inbox);
      const port = first.port;
      await first.close();

      const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: FROM, logger });
      const worker = createWorker({
        db: t.database.db,
        schema: SCHEMA,
        logger,
        backoff: { baseMs: 50, capMs: 100 },
        handlers: { [EMAIL_JOB_KIND]: createEmailJobHandler(mailer) },
      });
      const to = `down-${kind}@contoso.test`;
      const email = renderEmail({
        subject: "Your request for Contoso Mail was approved",
        blocks: [{ type: "paragraph", content: "You can now use the app." }],
      });
      const { id } = await t.database.transaction((trx) =>
        enqueueEmail(trx, SCHEMA, { to, ...email }, { tenantId: "tenant-1" }),
      );

      await worker.runOnce();
      await delay(120);
      await worker.runOnce();
      let [row] = await emailRows(t, to);
      expect(row?.attempts).toBe(2);
      expect(row?.last_error).toMatch(/ECONNREFUSED|connect/i);
      expect(row?.completed_at).toBeNull();
      expect(inbox).toHaveLength(0);
      expect(await outboxStats(t.database.db, SCHEMA, { tenantId: "tenant-1" })).toMatchObject({
        waiting: 1,
        failing: 1,
      });

      const smtp = await listenSmtp(inbox, port);
      try {
        const deadline = Date.now() + 10_000;
        while (!(await emailRows(t, to))[0]?.completed_at) {
          if (Date.now() > deadline) throw new Error("email was not delivered");
          await delay(30);
          await worker.runOnce();
        }
        for (let i = 0; i < 3; i++) await worker.runOnce();
        [row] = await emailRows(t, to);
        expect(row?.attempts).toBe(3);
        expect(inbox).toHaveLength(1);
        const mail = inbox[0]!;
        expect(mail.subject).toBe("Your request for Contoso Mail was approved");
        expect(mail.text).toContain("You can now use the app.");
        expect(mail.html).toContain("You can now use the app.");
        // The Message-ID names the outbox job, so a re-send after a crash is the same message.
        expect(mail.messageId).toBe(`<${id}@assent.test>`);
        expect(mail.from?.text).toContain("no-reply@assent.test");
      } finally {
        await smtp.close();
        mailer.close();
      }
    });

    it("holds messages while no SMTP is configured, without using up attempts", async (ctx) => {
      if (!t) return ctx.skip();
      const unconfigured = createMailer({ smtpUrl: undefined, from: FROM, logger });
      expect(unconfigured.isConfigured()).toBe(false);
      await expect(unconfigured.send({ to: "a@b.test", subject: "s", text: "t" })).rejects.toThrow(
        MailNotConfiguredError,
      );
      const to = `waiting-${kind}@contoso.test`;
      await enqueueEmail(
        t.database.db,
        SCHEMA,
        { to, subject: "Waiting", text: "…" },
        { maxAttempts: 2 },
      );
      const waiting = createWorker({
        db: t.database.db,
        schema: SCHEMA,
        logger,
        handlers: {
          [EMAIL_JOB_KIND]: createEmailJobHandler(unconfigured, { notConfiguredRetryMs: 20 }),
        },
      });
      for (let i = 0; i < 4; i++) {
        await waiting.runOnce();
        await delay(30);
      }
      const [row] = await emailRows(t, to);
      expect(row).toMatchObject({ attempts: 0, completed_at: null, dead_at: null });
      expect(row?.last_error).toMatch(/SMTP is not configured/);

      // The operator configures SMTP (a restart with SMTP_URL): the waiting message goes out.
      const inbox: ParsedMail[] = [];
      const smtp = await listenSmtp(inbox);
      const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: FROM, logger });
      try {
        const configured = createWorker({
          db: t.database.db,
          schema: SCHEMA,
          logger,
          handlers: { [EMAIL_JOB_KIND]: createEmailJobHandler(mailer) },
        });
        await delay(30);
        expect(await configured.runOnce()).toMatchObject({ completed: 1 });
        expect(inbox.map((m) => m.subject)).toEqual(["Waiting"]);
      } finally {
        await smtp.close();
        mailer.close();
      }
    });

    it("gives up at once when the server refuses every recipient permanently", async (ctx) => {
      if (!t) return ctx.skip();
      const inbox: ParsedMail[] = [];
      const smtp = await listenSmtp(inbox, 0, { refuse: /^nobody-/ });
      const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: FROM, logger });
      try {
        const worker = createWorker({
          db: t.database.db,
          schema: SCHEMA,
          logger,
          handlers: { [EMAIL_JOB_KIND]: createEmailJobHandler(mailer) },
        });
        const to = `nobody-${kind}@contoso.test`;
        await enqueueEmail(t.database.db, SCHEMA, { to, subject: "x", text: "x" });
        expect(await worker.runOnce()).toMatchObject({ dead: 1 });
        const [row] = await emailRows(t, to);
        expect(row?.attempts).toBe(1);
        expect(row?.last_error).toMatch(/refused the recipients/);
        expect(inbox).toHaveLength(0);
      } finally {
        await smtp.close();
        mailer.close();
      }
    });
  },
);

describe("mailer without the outbox", () => {
  it("refuses header injection through headers and recipients", async () => {
    const inbox: ParsedMail[] = [];
    const smtp = await listenSmtp(inbox);
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: FROM, logger });
    try {
      await expect(
        mailer.send({
          to: "a@b.test",
          subject: "s",
          text: "t",
          headers: { "X-A": "1\r\nBcc: x@y" },
        }),
      ).rejects.toThrow(/single-line header/);
      await expect(
        mailer.send({ to: "a@b.test\r\nBcc: x@y.test", subject: "s", text: "t" }),
      ).rejects.toThrow(/line break/);
      const sent = await mailer.send({
        to: ["a@b.test", "c@d.test"],
        subject: "Line one\r\nBcc: evil@x.test",
        text: "t",
        headers: { "Auto-Submitted": "auto-generated" },
      });
      expect(sent.accepted).toEqual(["a@b.test", "c@d.test"]);
      expect(inbox[0]?.subject).toBe("Line one Bcc: evil@x.test");
      expect(inbox[0]?.bcc).toBeUndefined();
      expect(inbox[0]?.headers.get("auto-submitted")).toBe("auto-generated");
    } finally {
      await smtp.close();
      mailer.close();
    }
  });
});
