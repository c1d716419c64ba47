import type { PGlite } from "@electric-sql/pglite";

/**
 * A `pg.Pool`-shaped facade over one embedded PGlite instance, so Kysely's PostgresDialect
 * (one SQL dialect everywhere) runs on it unchanged.
 *
 * PGlite is a single database session. Kysely runs a transaction on one acquired connection,
 * so the facade hands out that one session to a single holder at a time (a FIFO mutex):
 * statements of concurrent transactions never interleave. Code inside a transaction must use
 * the transaction object, never the outer database handle, or it waits for itself.
 */
export class PGlitePool {
  #queue: Array<() => void> = [];
  #held = false;
  #ended = false;

  constructor(readonly pglite: PGlite) {}

  async connect(): Promise<PGliteClient> {
    if (this.#ended) throw new Error("database pool has been closed");
    if (this.#held) await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.#held = true;
    return new PGliteClient(this.pglite, () => this.#release());
  }

  #release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#held = false;
  }

  async end(): Promise<void> {
    this.#ended = true;
    if (this.#held) await new Promise<void>((resolve) => this.#queue.push(resolve));
    await this.pglite.close();
  }
}

const COMMAND = /^\s*(\w+)/;
const MULTI = /;\s*\S/;

function lastOf<T>(results: T[]): T {
  const last = results[results.length - 1];
  if (!last) throw new Error("empty statement");
  return last;
}

export class PGliteClient {
  #released = false;
  constructor(
    private readonly pglite: PGlite,
    private readonly onRelease: () => void,
  ) {}

  async query(sql: string, parameters: unknown[] = []) {
    // Migrations send several statements in one parameterless string; only the simple query
    // protocol (exec) accepts that, as pg does.
    const result =
      parameters.length === 0 && MULTI.test(sql)
        ? lastOf(await this.pglite.exec(sql))
        : await this.pglite.query<Record<string, unknown>>(sql, parameters);
    let command = (COMMAND.exec(sql)?.[1] ?? "").toUpperCase();
    // A data-modifying CTE reports affected rows like the statement it wraps.
    if (command === "WITH" && result.affectedRows !== undefined) command = "UPDATE";
    return { command, rowCount: result.affectedRows ?? 0, rows: result.rows };
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.onRelease();
  }
}
