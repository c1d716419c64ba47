import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { IdentityDB } from "../db.ts";
import { BoundedQueue } from "./bounded-queue.ts";
import { ensureSignInPartition, monthStart } from "./partitions.ts";
import {
  InvalidSignInEvent,
  type SignInEvent,
  type SignInRow,
  toSignInRow,
} from "./sign-in-event.ts";
import { insertSignInRows } from "./sign-in-queries.ts";

export interface SignInRecorderOptions {
  db: Kysely<IdentityDB>;
  logger: Logger;
  /**
   * Events held in memory at most (default 50,000: about 50 MB, five seconds of a heavy
   * sign-in burst, or several minutes of a database outage at ordinary load). Beyond it the
   * oldest are dropped and counted.
   */
  maxBuffered?: number;
  /** Events per INSERT (default 1,000). */
  batchSize?: number;
  /**
   * Batches written at once, on separate connections (default 2: on PostgreSQL two backends
   * insert in parallel; PGlite runs them one after the other).
   */
  concurrentWrites?: number;
  /** How long the first buffered event waits for company before a write (default 100 ms). */
  flushIntervalMs?: number;
  /** Retry delay after a failed write, doubling up to retryMaxMs (defaults 200 ms, 5 s). */
  retryMinMs?: number;
  retryMaxMs?: number;
}

/** What /readyz-style checks and tests read. */
export interface SignInRecorderHealth {
  buffered: number;
  /** Events lost: dropped on overflow, or still buffered at close. */
  dropped: number;
  /** Events that could never be stored (no tenant or request id, or refused by the database). */
  rejected: number;
  written: number;
  /** Set while writes are failing. */
  failingSince: Date | undefined;
  lastError: string | undefined;
}

export interface SignInRecorder {
  /** Queues the event and returns at once; never throws, never waits on the database. */
  record(event: SignInEvent): void;
  /** Writes what is buffered now; false when the database failed (the events stay buffered). */
  flush(): Promise<boolean>;
  /** Stops the timers and makes a last write; events still unwritten are counted as dropped. */
  close(): Promise<void>;
  readonly droppedEvents: number;
  readonly bufferedEvents: number;
  health(): SignInRecorderHealth;
}

// SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the rows are
// at fault, not the database; retrying the same batch would fail forever.
const isDataError = (error: unknown) => /^2[23]/.test(String((error as { code?: unknown }).code));
// Drop warnings at most this often, so an overflow does not flood the log it reports in.
const DROP_REPORT_INTERVAL_MS = 10_000;

/**
 * The sign-in log's write path. A sign-in never waits on its log entry: `record` appends to a
 * bounded in-memory buffer, and a background writer flushes it in multi-row INSERTs every
 * `flushIntervalMs` or as soon as a batch is full. If the database is unavailable the events
 * stay buffered and the write is retried with backoff; if the buffer overflows meanwhile the
 * oldest events are dropped, counted (`droppedEvents`) and reported in the log.
 *
 * @example
 * const signIns = createSignInRecorder({ db, logger });
 * signIns.record({ tenantId, requestId, eventType: "servicePrincipal", status: "success", ... });
 * app.addHook("onClose", () => signIns.close());
 */
export function createSignInRecorder(options: SignInRecorderOptions): SignInRecorder {
  const { db, logger } = options;
  const batchSize = options.batchSize ?? 1_000;
  const concurrentWrites = options.concurrentWrites ?? 2;
  const intervalMs = options.flushIntervalMs ?? 100;
  const retryMinMs = options.retryMinMs ?? 200;
  const retryMaxMs = options.retryMaxMs ?? 5_000;
  const queue = new BoundedQueue<SignInRow>(options.maxBuffered ?? 50_000);
  const knownMonths = new Set<number>();
  let dropped = 0;
  let rejected = 0;
  let written = 0;
  // Taken from the queue and being written: still "buffered" until the write succeeds.
  let inFlight = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryDelay = retryMinMs;
  let draining: Promise<boolean> | undefined;
  let failingSince: Date | undefined;
  let lastError: string | undefined;
  let lastDropReport = 0;
  let droppedSinceReport = 0;

  function countDropped(n: number) {
    if (n <= 0) return;
    dropped += n;
    droppedSinceReport += n;
    const now = Date.now();
    if (now - lastDropReport >= DROP_REPORT_INTERVAL_MS) {
      logger.warn(
        { dropped: droppedSinceReport, droppedTotal: dropped, buffered: queue.length },
        "sign-in log buffer full: oldest events dropped",
      );
      lastDropReport = now;
      droppedSinceReport = 0;
    }
  }

  function schedule() {
    if (closed || draining || retryTimer) return;
    if (queue.length >= batchSize) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      setImmediate(() => void drain());
    } else if (!timer && queue.length > 0) {
      timer = setTimeout(() => {
        timer = undefined;
        void drain();
      }, intervalMs);
      timer.unref();
    }
  }

  async function ensurePartitions(rows: SignInRow[]) {
    for (const row of rows) {
      const month = monthStart(row.created_at as Date).getTime();
      if (knownMonths.has(month)) continue;
      // If this fails the default partition takes the rows; the INSERT decides success.
      const ok = await ensureSignInPartition(db, new Date(month)).then(
        () => true,
        () => false,
      );
      if (ok) knownMonths.add(month);
    }
  }

  /** Inserts one row at a time after a data error, so only the offending rows are lost. */
  async function insertOneByOne(rows: SignInRow[]) {
    for (const row of rows) {
      try {
        await insertSignInRows(db, [row]);
        written++;
      } catch (error) {
        if (!isDataError(error)) throw error;
        rejected++;
        logger.error(
          { err: error, requestId: row.request_id },
          "sign-in event refused by the database",
        );
      }
    }
  }

  async function write(rows: SignInRow[]): Promise<void> {
    await ensurePartitions(rows);
    try {
      await insertSignInRows(db, rows);
      written += rows.length;
    } catch (error) {
      if (!isDataError(error)) throw error;
      await insertOneByOne(rows);
    }
  }

  async function drainOnce(): Promise<boolean> {
    while (queue.length > 0) {
      const batches: SignInRow[][] = [];
      while (batches.length < concurrentWrites && queue.length > 0)
        batches.push(queue.take(batchSize));
      inFlight = batches.reduce((n, b) => n + b.length, 0);
      const results = await Promise.allSettled(batches.map(write));
      inFlight = 0;
      const failed = batches.filter((_, i) => results[i]?.status === "rejected");
      if (failed.length > 0) {
        const error = (results.find((r) => r.status === "rejected") as PromiseRejectedResult)
          .reason;
        countDropped(queue.putBack(failed.flat()));
        lastError = (error as Error).message;
        if (!failingSince) {
          failingSince = new Date();
          logger.warn(
            { err: error, buffered: queue.length },
            "sign-in log writes failing: buffering",
          );
        }
        if (retryTimer) clearTimeout(retryTimer);
        if (!closed) {
          retryTimer = setTimeout(() => {
            retryTimer = undefined;
            void drain();
          }, retryDelay);
          retryTimer.unref();
          retryDelay = Math.min(retryDelay * 2, retryMaxMs);
        }
        return false;
      }
    }
    if (failingSince) {
      logger.info({ since: failingSince, written }, "sign-in log writes recovered");
      failingSince = undefined;
      lastError = undefined;
    }
    retryDelay = retryMinMs;
    return true;
  }

  function drain(): Promise<boolean> {
    draining ??= drainOnce().finally(() => {
      draining = undefined;
      schedule();
    });
    return draining;
  }

  async function flush(): Promise<boolean> {
    if (timer) clearTimeout(timer);
    if (retryTimer) clearTimeout(retryTimer);
    timer = undefined;
    retryTimer = undefined;
    if (draining) await draining;
    return drain();
  }

  return {
    record(event) {
      try {
        if (closed) {
          countDropped(1);
          return;
        }
        countDropped(queue.push(toSignInRow(event, new Date())));
        schedule();
      } catch (error) {
        rejected++;
        if (error instanceof InvalidSignInEvent)
          logger.error({ reason: error.message }, "sign-in event not recorded");
        else logger.error({ err: error }, "sign-in event not recorded");
      }
    },
    flush,
    async close() {
      if (closed) return;
      await flush();
      closed = true;
      if (timer) clearTimeout(timer);
      if (retryTimer) clearTimeout(retryTimer);
      if (queue.length > 0) {
        const lost = queue.take(queue.length).length;
        dropped += lost;
        logger.error({ lost }, "sign-in log closed with unwritten events: they are lost");
      }
    },
    get droppedEvents() {
      return dropped;
    },
    get bufferedEvents() {
      return queue.length + inFlight;
    },
    health() {
      const buffered = queue.length + inFlight;
      return { buffered, dropped, rejected, written, failingSince, lastError };
    },
  };
}
