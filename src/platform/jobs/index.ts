/**
 * Durable background work on the database: a transactional outbox per service schema, drained
 * by workers that claim rows with FOR UPDATE SKIP LOCKED, so any number of nodes run each job
 * once (at least once under crashes), with exponential backoff, a dead state, and recurring
 * schedules that run once per slot across nodes.
 */
export { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";
export { type EnqueuedJob, enqueue, type NewJob } from "./enqueue.ts";
export { PermanentJobError, RetryJobError, type RetryJobOptions } from "./errors.ts";
export { type OutboxTable, outboxTableSql } from "./outbox-table.ts";
export {
  type ClaimedJob,
  claimDueJobs,
  type OutboxStats,
  outboxStats,
  purgeFinishedJobs,
} from "./queries.ts";
export { type RecurringPayload, slotKey, slotStart } from "./recurring.ts";
export { assertSchemaName } from "./schema-name.ts";
export {
  createWorker,
  type DeadJob,
  type JobContext,
  type JobHandler,
  type RunSummary,
  type Worker,
  type WorkerOptions,
} from "./worker.ts";
