/** A periodic job: one row per slot of `intervalMs`, whichever node enqueues it first. */
export interface RecurringSchedule {
  kind: string;
  intervalMs: number;
  maxAttempts: number;
}

/** What a recurring job's handler receives: the slot it runs for. */
export interface RecurringPayload {
  /** Start of the slot (ISO 8601): slots are aligned to the Unix epoch, so all nodes agree. */
  slot: string;
  intervalMs: number;
}

/** The start of the slot containing `nowMs`. */
export function slotStart(nowMs: number, intervalMs: number): number {
  return Math.floor(nowMs / intervalMs) * intervalMs;
}

/**
 * The dedupe key of one slot. The interval is part of it, so nodes configured with different
 * intervals (during a rolling upgrade) do not suppress each other's slots; each slot of each
 * interval runs once.
 */
export function slotKey(kind: string, intervalMs: number, slotMs: number): string {
  return `every:${kind}:${intervalMs}:${new Date(slotMs).toISOString()}`;
}
