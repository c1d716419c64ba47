import { type Expression, type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";

/**
 * Hands batches from a producer that runs inside a callback (a transaction) to a consumer that
 * pulls them (an async generator), one batch at a time: the producer waits until the consumer
 * has taken the previous batch, so at most one batch is in memory.
 */
class Handoff<T> {
  #items: T[] = [];
  #closed = false;
  #error: unknown;
  #cancelled = false;
  #waiters: Array<() => void> = [];

  #notify() {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #wait() {
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** False once the consumer has gone: the producer should stop. */
  async put(item: T): Promise<boolean> {
    while (this.#items.length > 0 && !this.#cancelled) await this.#wait();
    if (this.#cancelled) return false;
    this.#items.push(item);
    this.#notify();
    return true;
  }

  close(error?: unknown) {
    this.#closed = true;
    this.#error = error;
    this.#notify();
  }

  cancel() {
    this.#cancelled = true;
    this.#notify();
  }

  async take(): Promise<T | undefined> {
    while (this.#items.length === 0 && !this.#closed) await this.#wait();
    const item = this.#items.shift();
    this.#notify();
    if (item !== undefined) return item;
    if (this.#error !== undefined) throw this.#error;
    return undefined;
  }
}

/**
 * Rows of `query` in batches through a PostgreSQL server-side cursor (DECLARE ... FETCH) in one
 * read-only, repeatable-read transaction: a consistent snapshot, read at the pace the consumer
 * writes it out, with constant memory however many rows match. Stopping early (the client went
 * away) ends the transaction and frees the connection.
 *
 * (Not pg-cursor: Kysely owns the pool and does not hand out its raw pg client; DECLARE is the
 * same server-side mechanism in plain SQL, through the pool, with the query built by Kysely.)
 */
export async function* cursorBatches<R>(
  db: Kysely<IdentityDB>,
  query: Expression<unknown>,
  batchSize: number,
): AsyncGenerator<R[]> {
  const handoff = new Handoff<R[]>();
  const done = db
    .transaction()
    .setIsolationLevel("repeatable read")
    .setAccessMode("read only")
    .execute(async (trx) => {
      await sql`declare assent_export no scroll cursor for ${query}`.execute(trx);
      for (;;) {
        const { rows } =
          await sql<R>`fetch forward ${sql.lit(batchSize)} from assent_export`.execute(trx);
        if (rows.length > 0 && !(await handoff.put(rows))) return;
        if (rows.length < batchSize) return;
      }
    })
    .then(
      () => handoff.close(),
      (error: unknown) => handoff.close(error ?? new Error("export failed")),
    );
  try {
    for (;;) {
      const batch = await handoff.take();
      if (!batch) return;
      yield batch;
    }
  } finally {
    handoff.cancel();
    await done;
  }
}

/**
 * Rows in batches by keyset: each batch is one short query starting after the last row of the
 * one before. Used on PGlite, whose single session must not be held by a long export.
 */
export async function* keysetBatches<R, K>(
  fetchPage: (after: K | undefined, limit: number) => Promise<R[]>,
  keyOf: (row: R) => K,
  batchSize: number,
): AsyncGenerator<R[]> {
  let after: K | undefined;
  for (;;) {
    const rows = await fetchPage(after, batchSize);
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}
