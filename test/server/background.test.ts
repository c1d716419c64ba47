import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { addHostedDomain } from "../../src/mail/index.ts";
import { enqueueEmail } from "../../src/platform/mail/index.ts";
import { type RunningServices, startServices } from "../../src/server/run.ts";
import { freePort } from "../support/processes.ts";

/**
 * Under `assent start` with no SMTP_URL, Identity's outgoing email goes over real SMTP to the
 * Mail service's own intake in the same process, and lands in a mailbox.
 */
describe("identity background work under assent start", () => {
  let running: RunningServices;
  beforeAll(async () => {
    const config = loadConfig({
      ASSENT_DATA_DIR: mkdtempSync(join(tmpdir(), "assent-bg-")),
      ASSENT_IDENTITY_PORT: String(await freePort()),
      ASSENT_MAIL_PORT: String(await freePort()),
      ASSENT_CONNECT_PORT: String(await freePort()),
      ASSENT_MAIL_SMTP_PORT: String(await freePort()),
      LOG_LEVEL: "silent",
    });
    running = await startServices(config, pino({ level: "silent" }));
  });
  afterAll(() => running?.stop());

  it("delivers an email enqueued in the outbox to the recipient's mailbox", async () => {
    const { db } = running.database;
    await addHostedDomain(db, "fabrikam.example", "5b1f6a4e-1c1d-4d2e-9c55-2f1b0c3d4e5f");
    await db.transaction().execute((trx) =>
      enqueueEmail(trx, "identity", {
        to: "kim@fabrikam.example",
        subject: "Approval requested for Northwind CRM",
        text: "Megan Bowen asked for approval.",
      }),
    );
    let subjects: string[] = [];
    for (let i = 0; i < 40 && subjects.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const rows = await sql<{ subject: string }>`
        select m.subject from mail.messages m join mail.mailboxes b on b.id = m.mailbox_id
        where b.address = 'kim@fabrikam.example'`.execute(db);
      subjects = rows.rows.map((r) => r.subject);
    }
    expect(subjects).toEqual(["Approval requested for Northwind CRM"]);
    // The message is in the mailbox before the worker records the job done: wait for that too.
    let job: { completed: boolean; attempts: number }[] = [];
    for (let i = 0; i < 40; i++) {
      const read = await sql<{ completed: boolean; attempts: number }>`
        select completed_at is not null completed, attempts
        from identity.outbox where kind = 'email.send'`.execute(db);
      job = read.rows;
      if (job[0]?.completed) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(job).toEqual([{ completed: true, attempts: 1 }]);
  });
});
