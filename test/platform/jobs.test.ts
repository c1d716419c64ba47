import { setTimeout as delay } from "node:timers/promises";
import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/platform/db/index.ts";
import {
  claimDueJobs,
  createWorker,
  enqueue,
  purgeFinishedJobs,
  type RecurringPayload,
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

describe.each(["pglite", "postgres"] as const)("outbox and workers on %s", (kind) => {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(() => t?.close());

  it("runs nothing enqueued inside a transaction that rolled back; runs what committed", async (ctx) => {
    if (!t) return ctx.skip();
    const { database } = t;
    const seen: unknown[] = [];
    const worker = createWorker({
      db: database.db,
      schema: SCHEMA,
      logger,
      handlers: { "test.rollback": async (payload) => void seen.push(payload) },
    });
    await expect(
      database.transaction(async (trx) => {
        await enqueue(trx, SCHEMA, { kind: "test.rollback", payload: { n: 1 } });
        throw new Error("decision failed");
      }),
    ).rejects.toThrow("decision failed");
    expect((await worker.runOnce()).claimed).toBe(0);
    expect(await rowsOf(database, "test.rollback")).toEqual([]);

    await database.transaction((trx) =>
      enqueue(trx, SCHEMA, { kind: "test.rollback", payload: { n: 2 } }),
    );
    expect(await worker.runOnce()).toMatchObject({ claimed: 1, completed: 1 });
    expect(seen).toEqual([{ n: 2 }]);
    const [row] = await rowsOf(database, "test.rollback");
    expect(row?.completed_at).toBeInstanceOf(Date);
    expect(row?.attempts).toBe(1);
  });

  it("enqueues a dedupe key once, returning the first job", async (ctx) => {
    if (!t) return ctx.skip();
    const { database } = t;
    const job = { kind: "test.dedupe", payload: {}, dedupeKey: `remind:${kind}:midpoint` };
    const first = await database.transaction((trx) => enqueue(trx, SCHEMA, job));
    const second = await database.transaction((trx) => enqueue(trx, SCHEMA, job));
    expect(first.created).toBe(true);
    expect(second).toEqual({ id: first.id, created: false });
    expect(await rowsOf(database, "test.dedupe")).toHaveLength(1);
  });

  it("does not run a job before its runAt", async (ctx) => {
    if (!t) return ctx.skip();
    const { database } = t;
    let runs = 0;
    const worker = createWorker({
      db: database.db,
      schema: SCHEMA,
      logger,
      handlers: { "test.later": async () => void runs++ },
    });
    await enqueue(database.db, SCHEMA, {
      kind: "test.later",
      payload: {},
      runAt: new Date(Date.now() + 60_000),
    });
    expect((await worker.runOnce()).claimed).toBe(0);
    expect(runs).toBe(0);
  });

  it("two workers over 200 jobs handle each exactly once", async (ctx) => {
    if (!t) return ctx.skip();
    const { database } = t;
    // On PostgreSQL the second worker is a second node: its own connection pool.
    const second = kind === "postgres" ? await openDatabase<any>(t.target) : database;
    try {
      await database.transaction(async (trx) => {
        for (let n = 0; n < 200; n++)
          await enqueue(trx, SCHEMA, { kind: "test.fanout", payload: { n } });
      });
      const handled = new Map<number, string[]>();
      const handler = (node: string) => async (payload: { n: number }) => {
        await delay(Math.random() * 3);
        handled.set(payload.n, [...(handled.get(payload.n) ?? []), node]);
      };
      const workers = ["a", "b"].map((node, i) =>
        createWorker({
          db: (i === 0 ? database : second).db,
          schema: SCHEMA,
          logger,
          nodeId: node,
          batch: 5,
          pollMs: 5,
          handlers: { "test.fanout": handler(node) },
        }),
      );
      for (const w of workers) w.start();
      const deadline = Date.now() + 30_000;
      while ((await rowsOf(database, "test.fanout")).some((r) => !r.completed_at)) {
        if (Date.now() > deadline) throw new Error("fan-out did not finish");
        await delay(20);
      }
      await Promise.all(workers.map((w) => w.stop()));
      expect(handled.size).toBe(200);
      for (const nodes of handled.values()) expect(nodes).toHaveLength(1);
      const byNode = [...handled.values()].flat();
      expect(byNode.filter((n) => n === "a").length).toBeGreaterThan(0);
      expect(byNode.filter((n) => n === "b").length).toBeGreaterThan(0);
      const rows = await rowsOf(database, "test.fanout");
      expect(rows.every((r) => r.attempts === 1 && r.completed_at)).toBe(true);
    } finally {
      if (second !== database) await second.close();
    }
  });

  it("runs a recurring slot once with two workers, and the next slot once more", async (ctx) => {
    if (!t) return ctx.skip();
    const { database } = t;
    const second = kind === "postgres" ? await openDatabase<any>(t.target) : database;
    try {
      let now = Date.UTC(2030, 0, 1, 10, 0, 30);
      const slots: string[] = [];
      const workers = [database, second].map((d, i) => {
        const w = createWorker({
          db: d.db,
          schema: SCHEMA,
          logger,
          nodeId: `node-${i}`,
          clock: () => now,
          handlers: {
            "test.tick": async (payload: RecurringPayload) => void slots.push(payload.slot),
          },
        });
        w.every("test.tick", 60_000);
        return w;
      });
      for (let i = 0; i < 3; i++) await Promise.all(workers.map((w) => w.runOnce()));
      expect(slots).toEqual(["2030-01-01T10:00:00.000Z"]);
      now += 20_000; // same slot
      await Promise.all(workers.map((w) => w.runOnce()));
      now += 20_000; // next slot
      for (let i = 0; i < 3; i++) await Promise.all(workers.map((w) => w.runOnce()));
      expect(slots).toEqual(["2030-01-01T10:00:00.000Z", "2030-01-01T10:01:00.000Z"]);
      expect(await rowsOf(database, "test.tick")).toHaveLength(2);
    } finally {
      if (second !== database) await second.close();
    }
  });

  it("stop() waits for the job in flight and records it", async (ctx) => {
    if (!t) return ctx.skip();
    const { database } = t;
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    let finished = false;
    const worker = createWorker({
      db: database.db,
      schema: SCHEMA,
      logger,
      pollMs: 10_000,
      handlers: {
        "test.slow": async () => {
          started();
          await delay(150);
          finished = true;
        },
      },
    });
    worker.start();
    await enqueue(database.db, SCHEMA, { kind: "test.slow", payload: {} });
    worker.wake();
    await running;
    await worker.stop();
    expect(finished).toBe(true);
    const [row] = await rowsOf(database, "test.slow");
    expect(row?.completed_at).toBeInstanceOf(Date);
  });

  it("purges finished jobs older than the cut-off", async (ctx) => {
    if (!t) return ctx.skip();
    const { database } = t;
    await enqueue(database.db, SCHEMA, { kind: "test.purge", payload: {} });
    const worker = createWorker({
      db: database.db,
      schema: SCHEMA,
      logger,
      handlers: { "test.purge": async () => {} },
    });
    await worker.runOnce();
    expect(
      await purgeFinishedJobs(database.db, SCHEMA, { before: new Date(Date.now() - 60_000) }),
    ).toBe(0);
    const purged = await purgeFinishedJobs(database.db, SCHEMA, {
      before: new Date(Date.now() + 1000),
    });
    expect(purged).toBeGreaterThanOrEqual(1);
    expect(await rowsOf(database, "test.purge")).toEqual([]);
  });
});

// Two sessions at once exist only on PostgreSQL (PGlite is one session, where the claim
// statement above runs unchanged: SKIP LOCKED is accepted and simply finds nothing locked).
describe("outbox claims on PostgreSQL", () => {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await openTestDatabase("postgres");
  });
  afterAll(() => t?.close());

  it("skips rows another session holds locked instead of waiting for them", async (ctx) => {
    if (!t) return ctx.skip();
    const { database } = t;
    const held = await enqueue(database.db, SCHEMA, { kind: "test.skip", payload: {} });
    const free = await enqueue(database.db, SCHEMA, { kind: "test.skip", payload: {} });
    const other = await openDatabase<any>(t.target);
    try {
      let release!: () => void;
      const holding = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const holder = other.transaction(async (trx) => {
        await sql`select id from identity.outbox where id = ${held.id} for update`.execute(trx);
        locked();
        await holding;
      });
      await isLocked;
      const claimed = await claimDueJobs(database.db, SCHEMA, {
        nodeId: "n",
        kinds: ["test.skip"],
        limit: 10,
        lockMs: 60_000,
      });
      expect(claimed.map((j) => j.id)).toEqual([free.id]);
      release();
      await holder;
    } finally {
      await other.close();
    }
  });
});
