export interface BackoffPolicy {
  /** Delay before the second attempt, before jitter. */
  baseMs: number;
  /** Longest delay between two attempts. */
  capMs: number;
}

/**
 * 10 s, doubling, capped at 1 hour: 20 attempts span about 13 hours, close to the Standard
 * Webhooks example schedule's first day, and an SMTP outage of a few hours loses nothing.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10_000, capMs: 3_600_000 };

/**
 * The delay before retrying after failed attempt number `attempt` (1-based): exponential, capped,
 * with "equal jitter" (half fixed, half random) so that jobs failing together — every webhook to
 * one receiver that went down — do not all come back in the same instant, yet never retry sooner
 * than half the schedule.
 *
 * @example
 * backoffDelay(3, { baseMs: 1000, capMs: 60_000 }); // between 2000 and 4000
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 52);
  const full = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.round(full / 2 + random() * (full / 2));
}
