/**
 * How a handler tells the worker what a failure means. Any other error is an ordinary failure:
 * the attempt counts and the job is retried with exponential backoff until max_attempts.
 */

/** Retrying cannot help (a receiver answered 410 Gone, a mailbox does not exist): dead now. */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

export interface RetryJobOptions {
  /** Run again after this long instead of the backoff schedule (e.g. a Retry-After header). */
  delayMs?: number;
  /**
   * false: the attempt is not counted, so the job waits as long as it takes (e.g. "SMTP is not
   * configured": messages wait for an operator, they do not run out of attempts meanwhile).
   */
  countAttempt?: boolean;
}

/** A failure with a say in when to retry, and whether this attempt counts. */
export class RetryJobError extends Error {
  override name = "RetryJobError";
  readonly delayMs: number | undefined;
  readonly countAttempt: boolean;

  constructor(message: string, options: RetryJobOptions = {}) {
    super(message);
    this.delayMs = options.delayMs;
    this.countAttempt = options.countAttempt ?? true;
  }
}
