import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import {
  ADMIN_APPLICATION_ID,
  assignAppRole,
  ensureServicePrincipal,
} from "../../src/identity/apps/index.ts";
import { addHostedDomain } from "../../src/mail/index.ts";
import { createScratchPostgres, type TestDatabase } from "../support/databases.ts";
import { freePort, type Spawned, spawnAssent } from "../support/processes.ts";
import { appToken, codeFlow, installRecorder, percentile, Recorder } from "./support/traffic.ts";
import {
  openWorldDatabase,
  report,
  SHORT,
  secretKey,
  seedWorld,
  type World,
  waitFor,
} from "./support/world.ts";

/**
 * A bounded mixed-traffic run against `assent start --no-demo` (Identity, Mail and Connect in
 * one process) on PostgreSQL, loopback only, stopping by itself: client credentials and
 * authorization code flows, admin API reads, sign-in log queries and Mail API calls. Asserted:
 * no error answers, nothing hung, and no memory growth trend after warm-up (the process's RSS,
 * sampled over time). Latency is reported per minute (p50/p99), never asserted.
 */

const DURATION_MS = SHORT ? 60_000 : 600_000;
const SAMPLE_EVERY_MS = SHORT ? 2_000 : 10_000;
// Growth allowed between the first and the last third of the samples after warm-up: caches
// (per-tenant providers, catalogs, pools) fill during warm-up; a leak keeps growing after it.
const GROWTH_BOUND_BYTES = (SHORT ? 128 : 96) * 1024 * 1024;

function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const median = (values: number[]) => percentile(values, 50);

describe("load and soak", () => {
  let drop: () => Promise<void>;
  let t: TestDatabase;
  let w: World;
  let server: Spawned;
  const urls = { identity: "", mail: "" };
  const key = secretKey();

  beforeAll(async () => {
    const scratch = await createScratchPostgres();
    drop = scratch.drop;
    t = await openWorldDatabase(scratch.url);
    w = await seedWorld(t, key, "soak", 8);
    await addHostedDomain(t.database.db as never, "soak.example", w.tenant.id);
    const sp = await ensureServicePrincipal(t.database.db, w.tenant.id, w.web.id);
    for (const roleValue of ["Directory.Read.All", "AuditLog.Read.All"])
      await assignAppRole(
        t.database.db,
        w.tenant.id,
        {
          resourceApplicationId: ADMIN_APPLICATION_ID,
          principalType: "ServicePrincipal",
          principalId: sp.id,
          roleValue,
        },
        CLI_ACTOR,
      );
    const [identityPort, mailPort] = [await freePort(), await freePort()];
    urls.identity = `http://127.0.0.1:${identityPort}`;
    urls.mail = `http://127.0.0.1:${mailPort}`;
    server = spawnAssent(["start", "--no-demo"], {
      DATABASE_URL: scratch.url,
      ASSENT_DATA_DIR: mkdtempSync(join(tmpdir(), "assent-rel-soak-")),
      ASSENT_SECRET_KEY: key,
      LOG_LEVEL: "warn",
      ASSENT_IDENTITY_PORT: String(identityPort),
      ASSENT_IDENTITY_URL: urls.identity,
      ASSENT_MAIL_PORT: String(mailPort),
      ASSENT_MAIL_URL: urls.mail,
      ASSENT_MAIL_SMTP_PORT: String(await freePort()),
      ASSENT_CONNECT_PORT: String(await freePort()),
    });
    await server.waitFor(/Assent is running/, 120_000);
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill("SIGTERM");
      await server.exited;
    }
    await t?.close();
    await drop?.();
  });

  it("serves mixed traffic without errors and without a memory growth trend", async () => {
    const recorder = new Recorder();
    const uninstall = installRecorder(recorder);
    const pid = server.child.pid!;
    const ops: Record<string, { ok: number; failed: string[] }> = {};
    const count = (op: string, error?: string) => {
      ops[op] ??= { ok: 0, failed: [] };
      if (error === undefined) ops[op].ok++;
      else if (ops[op].failed.length < 5) ops[op].failed.push(error);
      else ops[op].failed.length++;
    };

    // Delegated Mail tokens for a few users, refreshed by new sign-ins during the run.
    const userTokens: string[] = [];
    for (const user of w.users.slice(0, 3)) {
      const tokens = await codeFlow(recorder, urls.identity, w, user.userPrincipalName);
      userTokens.push(String(tokens.access_token));
    }
    const adminToken = await (async () => {
      const basic = Buffer.from(`${w.web.appId}:${encodeURIComponent(w.webSecret)}`).toString(
        "base64",
      );
      const response = await fetch(`${w.tenantPath(urls.identity)}/oauth2/v2.0/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${basic}`,
        },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          scope: "api://assent-admin/.default",
        }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (!body.access_token) throw new Error(`no admin token: ${JSON.stringify(body)}`);
      return body.access_token;
    })();

    const get = async (op: string, url: string, token: string) => {
      const response = await recorder.fetch(url, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${op} answered ${response.status}`);
    };
    const operations: Array<[string, (i: number) => Promise<void>]> = [
      ["app token", async () => void (await appToken(recorder, urls.identity, w))],
      [
        "code flow",
        async (i) => {
          const tokens = await codeFlow(
            recorder,
            urls.identity,
            w,
            w.users[i % w.users.length]!.userPrincipalName,
          );
          if (i % w.users.length < 3) userTokens[i % 3] = String(tokens.access_token);
        },
      ],
      ["admin users", () => get("admin users", `${urls.identity}/api/v1/users`, adminToken)],
      [
        "sign-in log",
        () => get("sign-in log", `${urls.identity}/api/v1/auditLogs/signIns?top=50`, adminToken),
      ],
      [
        "mail messages",
        (i) => get("mail messages", `${urls.mail}/v1.0/me/messages?$top=10`, userTokens[i % 3]!),
      ],
      ["mail me", (i) => get("mail me", `${urls.mail}/v1.0/me`, userTokens[i % 3]!)],
    ];

    const started = Date.now();
    const deadline = started + DURATION_MS;
    const samples: Array<{ at: number; rss: number }> = [];
    const sampler = (async () => {
      while (Date.now() < deadline) {
        const rss = rssOf(pid);
        if (rss !== undefined) samples.push({ at: Date.now() - started, rss });
        await delay(SAMPLE_EVERY_MS);
      }
    })();
    const workers = SHORT ? 3 : 4;
    await Promise.all(
      Array.from({ length: workers }, async (_, worker) => {
        let n = worker;
        while (Date.now() < deadline) {
          const [op, run] = operations[n % operations.length]!;
          try {
            await run(n);
            count(op);
          } catch (error) {
            count(op, (error as Error).message);
          }
          n++;
        }
      }),
    );
    await sampler;
    uninstall();

    // Latency per minute, from every request's start time.
    const minutes = Math.ceil(DURATION_MS / 60_000);
    const perMinute = Array.from({ length: minutes }, (_, m) => {
      const ms = recorder.latencies
        .filter((l) => l.at - started >= m * 60_000 && l.at - started < (m + 1) * 60_000)
        .map((l) => l.ms);
      return `m${m + 1} p50 ${percentile(ms, 50)} ms p99 ${percentile(ms, 99)} ms (${ms.length})`;
    });
    // Memory trend after warm-up (the first third of the run).
    const after = samples.filter((s) => s.at >= DURATION_MS / 3);
    const third = Math.max(1, Math.floor(after.length / 3));
    const early = median(after.slice(0, third).map((s) => s.rss));
    const late = median(after.slice(-third).map((s) => s.rss));
    const mib = (b: number) => Math.round(b / 1024 / 1024);
    const total = Object.values(ops).reduce((n, o) => n + o.ok + o.failed.length, 0);
    const failed = Object.fromEntries(
      Object.entries(ops)
        .filter(([, o]) => o.failed.length > 0)
        .map(([op, o]) => [op, o.failed]),
    );
    report(
      "soak",
      `${Math.round(DURATION_MS / 1000)} s, ${total} operations (${Object.entries(ops)
        .map(([op, o]) => `${op} ${o.ok}`)
        .join(
          ", ",
        )}), ${Object.keys(failed).length ? `FAILED ${JSON.stringify(failed)}` : "no errors"}; statuses ${JSON.stringify(recorder.byStatus())}; RSS after warm-up ${mib(early)} -> ${mib(late)} MiB (bound +${mib(GROWTH_BOUND_BYTES)}); ${perMinute.join("; ")}`,
    );

    expect(recorder.hung).toBe(0);
    expect(recorder.unreachable).toBe(0);
    expect(failed).toEqual({});
    expect(recorder.seen.filter((s) => s.status >= 400)).toEqual([]);
    expect(samples.length).toBeGreaterThanOrEqual(10);
    expect(late - early).toBeLessThan(GROWTH_BOUND_BYTES);
    // The server is still healthy after the run.
    await waitFor(
      async () => (await fetch(`${urls.identity}/readyz`)).status === 200,
      "the server to answer /readyz",
    );
  });
});
