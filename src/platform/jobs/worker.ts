import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";
import { enqueue } from "./enqueue.ts";
import { PermanentJobError, RetryJobError } from "./errors.ts";
import {
  type ClaimedJob,
  claimDueJobs,
  extendLocks,
  markCompleted,
  markFailed,
  reapExhaustedJobs,
} from "./queries.ts";
import { type RecurringSchedule, slotKey, slotStart } from "./recurring.ts";
import { assertSchemaName } from "./schema-name.ts";

/** What a handler knows about the job it runs. Delivery is at least once: use `jobId` to dedupe. */
export interface JobContext {
  jobId: string;
  kind: string;
  /** 1 on the first run; a handler may act differently on a retry. */
  attempt: number;
  maxAttempts: number;
  tenantId: string | null;
  createdAt: Date;
  logger: Logger;
}

/** Runs one job. Resolve = done; throw = failed (see PermanentJobError, RetryJobError). */
export type JobHandler<P = any> = (payload: P, ctx: JobContext) => Promise<void>;

export interface DeadJob {
  id: string;
  kind: string;
  tenantId: string | null;
  payload: unknown;
  attempts: number;
  error: string;
}

export interface WorkerOptions {
  db: Kysely<any>;
  /** The service schema whose `outbox` this worker drains. */
  schema: string;
  /** One handler per kind; the worker claims only the kinds it has handlers for. */
  handlers: Record<string, JobHandler>;
  logger: Logger;
  /** Idle wait between polls (default 1000 ms); `wake()` cuts it short. */
  pollMs?: number;
  /** Jobs claimed and run concurrently per round (default 10). */
  batch?: number;
  /**
   * How long a claim lasts (default 60 s). A running job's claim is renewed every lockMs/3, so
   * this is how soon a dead node's jobs are retried, not a limit on how long a handler may run.
   */
  lockMs?: number;
  /** Names this worker in `locked_by` (default host:pid:random). */
  nodeId?: string;
  backoff?: BackoffPolicy;
  /** Called after a job is given up, e.g. to alert or to disable a webhook endpoint. */
  onDead?: (job: DeadJob) => void | Promise<void>;
  /** Wall clock for recurring slots (tests shorten time with it). */
  clock?: () => number;
}

export interface RunSummary {
  claimed: number;
  completed: number;
  /** Failed and rescheduled. */
  retried: number;
  /** Failed and given up. */
  dead: number;
}

export interface Worker {
  readonly nodeId: string;
  /** Polls until `stop()`. */
  start(): void;
  /** Stops polling and resolves once the jobs in flight have finished and been recorded. */
  stop(): Promise<void>;
  /** One round: enqueue due recurring slots, claim a batch, run it, record the outcomes. */
  runOnce(): Promise<RunSummary>;
  /** Polls now instead of after the idle wait (call after committing an enqueue). */
  wake(): void;
  /**
   * Runs `kind` once per `intervalMs` slot across all nodes: every node enqueues the slot with a
   * dedupe key, one row wins, one worker claims it. The handler receives a RecurringPayload.
   */
  every(kind: string, intervalMs: number, options?: { maxAttempts?: number }): void;
}

const ERROR_MAX = 2000;
// After a database error the loop waits longer each time, up to this, instead of spinning.
const MAX_ERROR_WAIT_MS = 30_000;

function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > ERROR_MAX ? `${text.slice(0, ERROR_MAX)}…` : text;
}

/**
 * A durable-outbox worker. Safe to run on several nodes against one database: claims use
 * FOR UPDATE SKIP LOCKED, so each job runs on one node at a time, and at least once overall
 * (a node that dies mid-job leaves it to be claimed again after `lockMs`). No transaction is
 * held while a handler runs.
 *
 * @example
 * const worker = createWorker({ db, schema: "identity", logger,
 *   handlers: { [EMAIL_JOB_KIND]: createEmailJobHandler(mailer) } });
 * worker.every("consent_request.expire", 60_000);
 * worker.start();
 * // on shutdown
 * await worker.stop();
 */
export function createWorker(options: WorkerOptions): Worker {
  const { db, handlers, onDead } = options;
  const schema = assertSchemaName(options.schema);
  const pollMs = options.pollMs ?? 1000;
  const batch = options.batch ?? 10;
  const lockMs = options.lockMs ?? 60_000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const clock = options.clock ?? Date.now;
  const nodeId = options.nodeId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const logger = options.logger.child({ component: "jobs", schema, node: nodeId });
  const kinds = Object.keys(handlers);
  const schedules: RecurringSchedule[] = [];
  const lastSlot = new Map<string, number>();
  const rounds = new Set<Promise<RunSummary>>();

  let stopping = false;
  let loop: Promise<void> | undefined;
  let woken = false;
  let wakeUp: (() => void) | undefined;

  function wake() {
    woken = true;
    wakeUp?.();
  }

  function sleep(delay: number): Promise<void> {
    if (woken) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakeUp = undefined;
        woken = false;
        resolve();
      };
      const timer = setTimeout(done, delay);
      timer.unref();
      wakeUp = done;
    });
  }

  async function enqueueDueSlots() {
    for (const schedule of schedules) {
      const id = `${schedule.kind}/${schedule.intervalMs}`;
      const slot = slotStart(clock(), schedule.intervalMs);
      if (lastSlot.get(id) === slot) continue;
      await enqueue(db, schema, {
        kind: schedule.kind,
        payload: { slot: new Date(slot).toISOString(), intervalMs: schedule.intervalMs },
        dedupeKey: slotKey(schedule.kind, schedule.intervalMs, slot),
        maxAttempts: schedule.maxAttempts,
      });
      lastSlot.set(id, slot);
    }
  }

  async function recordFailure(job: ClaimedJob, error: unknown): Promise<"retried" | "dead"> {
    const message = describeError(error);
    let dead = error instanceof PermanentJobError;
    let countAttempt = true;
    let delayMs = backoffDelay(job.attempts, backoff);
    if (error instanceof RetryJobError) {
      countAttempt = error.countAttempt;
      if (error.delayMs !== undefined) delayMs = Math.max(0, error.delayMs);
    }
    if (countAttempt && job.attempts >= job.max_attempts) dead = true;
    const recorded = await markFailed(db, schema, {
      id: job.id,
      nodeId,
      attempts: job.attempts,
      error: message,
      dead,
      delayMs,
      countAttempt,
    });
    const log = { job: job.id, kind: job.kind, attempt: job.attempts, error: message };
    if (!recorded) {
      logger.warn(log, "job failed after its claim was taken over; the other claim decides");
      return "retried";
    }
    if (!dead) {
      logger.warn({ ...log, retryInMs: delayMs }, "job failed; will retry");
      return "retried";
    }
    logger.error(log, "job given up");
    try {
      await onDead?.({
        id: job.id,
        kind: job.kind,
        tenantId: job.tenant_id,
        payload: job.payload,
        attempts: job.attempts,
        error: message,
      });
    } catch (hookError) {
      logger.error({ job: job.id, error: describeError(hookError) }, "onDead hook failed");
    }
    return "dead";
  }

  async function runJob(job: ClaimedJob): Promise<"completed" | "retried" | "dead" | "unknown"> {
    const handler = handlers[job.kind];
    try {
      if (!handler) throw new PermanentJobError(`no handler for job kind ${job.kind}`);
      await handler(job.payload, {
        jobId: job.id,
        kind: job.kind,
        attempt: job.attempts,
        maxAttempts: job.max_attempts,
        tenantId: job.tenant_id,
        createdAt: job.created_at,
        logger: logger.child({ job: job.id, kind: job.kind, attempt: job.attempts }),
      });
    } catch (error) {
      try {
        return await recordFailure(job, error);
      } catch (dbError) {
        // The claim expires and another round retries the job: nothing is lost.
        logger.error({ job: job.id, error: describeError(dbError) }, "could not record failure");
        return "unknown";
      }
    }
    try {
      await markCompleted(db, schema, job.id);
      return "completed";
    } catch (dbError) {
      // The handler's work is done but not recorded: the job runs again (at least once).
      logger.error({ job: job.id, error: describeError(dbError) }, "could not record completion");
      return "unknown";
    }
  }

  async function round(): Promise<RunSummary> {
    const summary: RunSummary = { claimed: 0, completed: 0, retried: 0, dead: 0 };
    if (kinds.length === 0) return summary;
    await enqueueDueSlots();
    for (const id of await reapExhaustedJobs(db, schema)) {
      logger.error({ job: id }, "job given up: its final attempt never finished");
      summary.dead++;
    }
    const jobs = await claimDueJobs(db, schema, { nodeId, kinds, limit: batch, lockMs });
    summary.claimed = jobs.length;
    if (jobs.length === 0) return summary;
    const running = new Map(jobs.map((job) => [job.id, job]));
    const heartbeat = setInterval(
      () => {
        extendLocks(db, schema, nodeId, [...running.values()], lockMs).catch((error) =>
          logger.warn({ error: describeError(error) }, "could not renew job claims"),
        );
      },
      Math.max(1, Math.floor(lockMs / 3)),
    );
    heartbeat.unref();
    try {
      const outcomes = await Promise.all(
        jobs.map((job) => runJob(job).finally(() => running.delete(job.id))),
      );
      for (const outcome of outcomes) {
        if (outcome === "completed") summary.completed++;
        else if (outcome === "retried") summary.retried++;
        else if (outcome === "dead") summary.dead++;
      }
    } finally {
      clearInterval(heartbeat);
    }
    return summary;
  }

  function runOnce(): Promise<RunSummary> {
    const promise = round();
    rounds.add(promise);
    const forget = () => rounds.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async function pollLoop() {
    let errors = 0;
    while (!stopping) {
      let busy = false;
      try {
        busy = (await runOnce()).claimed >= batch;
        errors = 0;
      } catch (error) {
        errors++;
        logger.error({ error: describeError(error) }, "job poll failed");
      }
      if (stopping) break;
      if (busy) continue;
      await sleep(errors > 0 ? Math.min(pollMs * 2 ** errors, MAX_ERROR_WAIT_MS) : pollMs);
    }
  }

  return {
    nodeId,
    wake,
    runOnce,
    start() {
      if (loop) return;
      stopping = false;
      loop = pollLoop().finally(() => {
        loop = undefined;
      });
    },
    async stop() {
      stopping = true;
      wake();
      await loop;
      await Promise.allSettled([...rounds]);
    },
    every(kind, intervalMs, every = {}) {
      if (!handlers[kind]) throw new Error(`every(${kind}): the worker has no handler for it`);
      if (!Number.isInteger(intervalMs) || intervalMs < 1) {
        throw new Error(`every(${kind}): intervalMs must be a positive whole number`);
      }
      schedules.push({ kind, intervalMs, maxAttempts: every.maxAttempts ?? 3 });
    },
  };
}
