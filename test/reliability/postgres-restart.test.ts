import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueEmail } from "../../src/platform/mail/index.ts";
import type { TestDatabase } from "../support/databases.ts";
import { type PrivatePostgres, startPrivatePostgres } from "./support/cluster.ts";
import { type SmtpReceiver, smtpReceiver } from "./support/receivers.ts";
import { appToken, codeFlow, installRecorder, Recorder } from "./support/traffic.ts";
import {
  type IdentityNode,
  openWorldDatabase,
  report,
  SHORT,
  secretKey,
  seedWorld,
  startIdentityNode,
  unfinishedJobs,
  type World,
  waitFor,
} from "./support/world.ts";

/**
 * PostgreSQL restarted (`pg_ctl stop -m fast`, down a while, start) in the middle of a burst of
 * password sign-ins and token requests, on a PRIVATE cluster. During the outage requests fail
 * cleanly (503 or 4xx, in words, no stack trace, none hung); afterwards they succeed without
 * restarting Assent; no artifact is left half-written; the outbox drains.
 */
describe("PostgreSQL restarted during a burst of sign-ins", () => {
  let cluster: PrivatePostgres;
  let t: TestDatabase;
  let w: World;
  let node: IdentityNode;
  let smtp: SmtpReceiver;
  const key = secretKey();

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    t = await openWorldDatabase(cluster.url);
    w = await seedWorld(t, key, "pgr", 6);
    smtp = await smtpReceiver();
    node = await startIdentityNode({
      DATABASE_URL: cluster.url,
      DATABASE_POOL_MAX: "8",
      ASSENT_DATA_DIR: mkdtempSync(join(tmpdir(), "assent-rel-pgr-")),
      ASSENT_SECRET_KEY: key,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      ASSENT_JOBS_POLL_MS: "100",
      ASSENT_JOBS_RETRY_BASE_MS: "200",
      ASSENT_JOBS_RETRY_CAP_MS: "2000",
    });
  });
  afterAll(async () => {
    await node?.stop();
    await t?.close();
    await smtp?.down();
    await cluster?.destroy();
  });

  it("fails cleanly while down, recovers by itself, and loses or corrupts nothing", async () => {
    const recorder = new Recorder();
    const uninstall = installRecorder(recorder);
    const workers = SHORT ? 4 : 8;
    const outageMs = SHORT ? 4_000 : 20_000;
    let restartedAt = Number.POSITIVE_INFINITY;
    let stopping = false;
    const outcomes: Array<{ startedAt: number; ok: boolean; kind: string; error?: string }> = [];
    const refreshTokens: string[] = [];
    let okAfterRestart = 0;

    async function traffic(i: number) {
      let n = 0;
      while (!stopping) {
        const kind = n++ % 3 === 2 ? "app" : "code";
        const startedAt = Date.now();
        try {
          if (kind === "code") {
            const tokens = await codeFlow(
              recorder,
              node.url,
              w,
              w.users[i % w.users.length]!.userPrincipalName,
            );
            if (typeof tokens.refresh_token === "string" && startedAt < restartedAt)
              refreshTokens.push(tokens.refresh_token);
          } else await appToken(recorder, node.url, w);
          outcomes.push({ startedAt, ok: true, kind });
          if (startedAt > restartedAt) okAfterRestart++;
        } catch (error) {
          outcomes.push({ startedAt, ok: false, kind, error: (error as Error).message });
          // A client backs off a little after a failure rather than spinning.
          await delay(100);
        }
      }
    }

    // Mail queued before the restart: the worker sends it through the outage.
    await t.database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 5; i++)
        await enqueueEmail(trx, "identity", {
          to: `user${i}@pgr.example`,
          subject: `Before the restart ${i}`,
          text: "Sent once, whatever happens to the database.",
        });
    });

    const running = Array.from({ length: workers }, (_, i) => traffic(i));
    await waitFor(
      () => outcomes.filter((o) => o.ok).length >= workers * 2,
      "warm-up sign-ins",
      180_000,
    );
    const stoppedAt = Date.now();
    await cluster.stop();
    await delay(outageMs);
    await cluster.start();
    restartedAt = Date.now();
    await waitFor(() => okAfterRestart >= workers * 3, "sign-ins after the restart", 180_000);
    stopping = true;
    await Promise.all(running);
    uninstall();

    const during = outcomes.filter((o) => o.startedAt >= stoppedAt && o.startedAt < restartedAt);
    const after = outcomes.filter((o) => o.startedAt >= restartedAt);
    const errors = recorder.seen.filter((s) => s.status >= 400);
    // Every failure during the outage is a 503 (or a 4xx) in words: the tenant read that starts
    // each protocol request included (protocol-routes.ts), as everything past it.
    const bad = errors.filter(
      (s) => (s.status >= 500 && s.status !== 503) || s.stackTrace || !s.words,
    );
    const summary = `${outcomes.filter((o) => o.ok).length}/${outcomes.length} flows ok; outage ${outageMs} ms: ${during.filter((o) => !o.ok).length} refused cleanly; after restart ${after.filter((o) => o.ok).length}/${after.length} ok; statuses ${JSON.stringify(recorder.byStatus())}; hung ${recorder.hung}`;
    report("postgres-restart", summary);

    // No request hung, and the node never stopped answering.
    expect(recorder.hung).toBe(0);
    expect(recorder.unreachable).toBe(0);
    // Failures were clean: 503 (or a 4xx) that says what happened, never a stack trace.
    expect(bad.map((s) => `${s.status} ${s.method} ${s.path}: ${s.body.slice(0, 200)}`)).toEqual(
      [],
    );
    // The outage was observed, and every flow begun after the restart completed.
    expect(during.some((o) => !o.ok)).toBe(true);
    expect(after.filter((o) => !o.ok).map((o) => `${o.kind}: ${o.error}`)).toEqual([]);

    // Nothing half-written: every stored artifact bound to a grant has its grant.
    const orphans = await sql<{ model: string; n: number }>`
      select s.model, count(*)::int as n from identity.oidc_store s
       where s.grant_id is not null and s.model <> 'Grant'
         and s.expires_at > now() and s.consumed_at is null
         and not exists (select 1 from identity.oidc_store g where g.model = 'Grant' and g.id = s.grant_id)
       group by s.model`.execute(t.database.db);
    expect(orphans.rows).toEqual([]);
    // Refresh tokens issued before the restart still work: their rows are whole.
    for (const token of refreshTokens.slice(0, 3)) {
      const refreshed = await fetch(`${w.tenantPath(node.url)}/oauth2/v2.0/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          client_id: w.spa.appId,
          refresh_token: token,
        }),
      });
      expect(refreshed.status, await refreshed.clone().text()).toBe(200);
    }
    // The sign-in log: every completed password sign-in is there once, whole (buffered through
    // the outage, written after it).
    const okSignIns = outcomes.filter((o) => o.ok && o.kind === "code").length;
    const logged = async () =>
      (
        await sql<{ n: number; incomplete: number; duplicated: number }>`
        select count(*)::int as n,
               count(*) filter (where user_id is null or app_id is null or request_id = '')::int as incomplete,
               (count(*) - count(distinct (request_id, event_type, status)))::int as duplicated
          from identity.sign_in_events
         where tenant_id = ${w.tenant.id} and is_interactive and status = 'success'`.execute(
          t.database.db,
        )
      ).rows[0]!;
    await waitFor(async () => (await logged()).n >= okSignIns, "the sign-in log to catch up");
    expect(await logged()).toMatchObject({ incomplete: 0, duplicated: 0 });
    // No stuck jobs: the outbox drains, each email sent once.
    await waitFor(async () => (await unfinishedJobs(t)) === 0, "the outbox to drain");
    const subjects = smtp.inbox
      .map((m) => m.subject)
      .filter((s) => s?.startsWith("Before the restart"));
    expect(subjects.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `Before the restart ${i}`));
    // The process logged no crash.
    expect(node.process.output()).not.toMatch(/uncaught|unhandled/i);
  });
});
