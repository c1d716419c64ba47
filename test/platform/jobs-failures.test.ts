import { setTimeout as delay } from "node:timers/promises";
import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/platform/db/index.ts";
import {
  claimDueJobs,
  createWorker,
  enqueue,
  type JobContext,
  outboxStats,
  PermanentJobError,
  RetryJobError,
  type Worker,
} from "../../src/platform/jobs/index.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";

const logger = pino({ level: "silent" });
const SCHEMA = "identity";

interface Row {
  id: string;
  kind: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  completed_at: Date | null;
  dead_at: Date | null;
  locked_by: string | null;
  run_at: Date;
  payload: unknown;
}

async function rowsOf(database: Database<any>, kind: string): Promise<Row[]> {
  const r =
    await sql<Row>`select * from identity.outbox where kind = ${kind} order by created_at, id`.execute(
      database.db,
    );
  return r.rows;
}

/** Runs rounds until `done()` or the deadline, pausing briefly between idle rounds. */
async function drain(worker: Worker, done: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error("jobs did not finish in time");
    const summary = await worker.runOnce();
    if (summary.claimed === 0) await delay(10);
  }
}

describe.each(["pglite", "postgres"] as const)("outbox failure handling on %s", (kind) => {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(() => t?.close());

  it("reclaims a crashed worker's job once its lock expires, with the attempt counted", async (ctx) => {
    if (!t) return ctx.skip();
    const { database } = t;
    const { id } = await enqueue(database.db, SCHEMA, { kind: "test.crash", payload: { x: 1 } });
    // A node claims the job and dies: the claim is never completed nor released.
    const claimed = await claimDueJobs(database.db, SCHEMA, {
      nodeId: "crashed-node",
      kinds: ["test.crash"],
      limit: 10,
      lockMs: 300,
    });
    expect(claimed.map((j) => j.id)).toEqual([id]);
    const attempts: JobContext[] = [];
    const worker = createWorker({
      db: database.db,
      schema: SCHEMA,
      logger,
      nodeId: "survivor",
      lockMs: 300,
      handlers: { "test.crash": async (_payload, jobCtx) => void attempts.push(jobCtx) },
    });
    expect((await worker.runOnce()).claimed).toBe(0);
    await delay(400);
    expect(await worker.runOnce()).toMatchObject({ claimed: 1, completed: 1 });
    expect(attempts.map((a) => [a.jobId, a.attempt])).toEqual([[id, 2]]);
    const [row] = await rowsOf(database, "test.crash");
    expect(row?.locked_by).toBe("survivor");
    expect(row?.completed_at).toBeInstanceOf(Date);
  });

  it("gives up on a job whose worker died during its final attempt", async (ctx) => {
    if (!t) return ctx.skip();
    const { database } = t;
    await enqueue(database.db, SCHEMA, { kind: "test.crash-last", payload: {}, maxAttempts: 1 });
    await claimDueJobs(database.db, SCHEMA, {
      nodeId: "crashed-node",
      kinds: ["test.crash-last"],
      limit: 1,
      lockMs: 100,
    });
    let runs = 0;
    const worker = createWorker({
      db: database.db,
      schema: SCHEMA,
      logger,
      handlers: { "test.crash-last": async () => void runs++ },
    });
    await delay(150);
    expect(await worker.runOnce()).toMatchObject({ claimed: 0, dead: 1 });
    expect(runs).toBe(0);
    const [row] = await rowsOf(database, "test.crash-last");
    expect(row?.dead_at).toBeInstanceOf(Date);
    expect(row?.last_error).toMatch(/final attempt/);
  });

  it("retries a failing job with growing backoff, then gives up after max_attempts", async (ctx) => {
    if (!t) return ctx.skip();
    const { database } = t;
    const { id } = await enqueue(database.db, SCHEMA, {
      kind: "test.flaky",
      payload: {},
      maxAttempts: 4,
    });
    const seen: number[] = [];
    const runTimes: number[] = [];
    const dead: string[] = [];
    const worker = createWorker({
      db: database.db,
      schema: SCHEMA,
      logger,
      // Long enough that "not due yet" holds on a loaded machine (the smallest wait is 200 ms).
      backoff: { baseMs: 400, capMs: 1600 },
      onDead: (job) => void dead.push(`${job.id}:${job.attempts}:${job.error}`),
      handlers: {
        "test.flaky": async (_p, jobCtx) => {
          seen.push(jobCtx.attempt);
          runTimes.push(Date.now());
          throw new Error(`receiver refused (attempt ${jobCtx.attempt})`);
        },
      },
    });
    await worker.runOnce();
    let [row] = await rowsOf(database, "test.flaky");
    expect(row).toMatchObject({ attempts: 1, last_error: "receiver refused (attempt 1)" });
    expect(row?.completed_at).toBeNull();
    expect(row?.dead_at).toBeNull();
    expect((await worker.runOnce()).claimed).toBe(0); // not due yet: backoff
    await drain(worker, async () => Boolean((await rowsOf(database, "test.flaky"))[0]?.dead_at));
    [row] = await rowsOf(database, "test.flaky");
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(row).toMatchObject({ attempts: 4, last_error: "receiver refused (attempt 4)" });
    expect(dead).toEqual([`${id}:4:receiver refused (attempt 4)`]);
    // Equal jitter: each wait is at least half the schedule (200, 400, 800 ms).
    const gaps = runTimes.slice(1).map((time, i) => time - runTimes[i]!);
    for (const [i, gap] of gaps.entries())
      expect(gap).toBeGreaterThanOrEqual([200, 400, 800][i]! - 5);
    expect((await worker.runOnce()).claimed).toBe(0);
    expect(await outboxStats(database.db, SCHEMA, { kind: "test.flaky" })).toMatchObject({
      waiting: 0,
      dead: 1,
    });
  });

  it("honours PermanentJobError (dead at once) and RetryJobError (delay; attempt not counted)", async (ctx) => {
    if (!t) return ctx.skip();
    const { database } = t;
    await enqueue(database.db, SCHEMA, { kind: "test.gone", payload: {} });
    await enqueue(database.db, SCHEMA, { kind: "test.wait", payload: {}, maxAttempts: 1 });
    let waits = 0;
    const worker = createWorker({
      db: database.db,
      schema: SCHEMA,
      logger,
      handlers: {
        "test.gone": async () => {
          throw new PermanentJobError("410 Gone");
        },
        "test.wait": async () => {
          waits++;
          throw new RetryJobError("SMTP is not configured", { delayMs: 30, countAttempt: false });
        },
      },
    });
    await worker.runOnce();
    const [gone] = await rowsOf(database, "test.gone");
    expect(gone).toMatchObject({ attempts: 1, last_error: "410 Gone" });
    expect(gone?.dead_at).toBeInstanceOf(Date);
    for (let i = 0; i < 3; i++) {
      await delay(40);
      await worker.runOnce();
    }
    const [wait] = await rowsOf(database, "test.wait");
    // Ran four times with max_attempts 1, yet still waiting: the deferrals did not count.
    expect(waits).toBe(4);
    expect(wait).toMatchObject({ attempts: 0, last_error: "SMTP is not configured" });
    expect(wait?.dead_at).toBeNull();
    expect(await outboxStats(database.db, SCHEMA, { kind: "test.wait" })).toEqual({
      waiting: 1,
      failing: 1,
      dead: 0,
      lastError: "SMTP is not configured",
    });
  });

  it("renews the claim of a job that outlives lockMs, so no other node takes it", async (ctx) => {
    if (!t) return ctx.skip();
    const { database } = t;
    await enqueue(database.db, SCHEMA, { kind: "test.long", payload: {} });
    let runs = 0;
    const make = (nodeId: string) =>
      createWorker({
        db: database.db,
        schema: SCHEMA,
        logger,
        nodeId,
        lockMs: 150,
        handlers: {
          "test.long": async () => {
            runs++;
            await delay(500);
          },
        },
      });
    const first = make("first");
    const firstRound = first.runOnce();
    await delay(300); // past lockMs: without renewal the job would be claimable here
    const other = await make("other").runOnce();
    await firstRound;
    expect(other.claimed).toBe(0);
    expect(runs).toBe(1);
  });
});
