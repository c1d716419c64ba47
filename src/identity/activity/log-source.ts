import type { Expression, Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { CsvColumn } from "./csv.ts";
import { decodeCursor, encodeCursor, type Keyset } from "./cursor.ts";

/** A newest-first query of a log that a page can limit, or an export can declare a cursor over. */
export type LogQuery<R> = Expression<unknown> & {
  limit(limit: number): { execute(): Promise<R[]> };
};

/**
 * One log (the sign-in log, the audit log) as the listings and the exports read it: the rows
 * that match a filter newest first, where a row sits in that order, and how it is shown. The
 * generic code (pages, exports) is written once against this; each log says only what differs.
 */
export interface LogSource<F, R, V> {
  /** The tenant's rows matching `filter`, newest first, strictly after `after` when given. */
  select(db: Kysely<IdentityDB>, tenantId: string, filter: F, after?: Keyset): LogQuery<R>;
  /** The row's place in the order (time, then a unique tiebreaker). */
  keyOf(row: R): Keyset;
  /** What the tiebreaker is: a uuid (sign-ins) or a sequence number (audit events). */
  cursorId: "uuid" | "seq";
  /** The API's (and the exports') shape of a row. */
  view(row: R): V;
  /** The CSV export's columns, in order. */
  columns: CsvColumn<V>[];
}

export interface Page<T> {
  value: T[];
  /** Give it back as `cursor` for the next page; undefined on the last page. */
  nextCursor: string | undefined;
}

/**
 * One page of a log, newest first, keyset-paginated: rows recorded while someone pages never
 * shift the pages, so nothing repeats or goes missing. Asks for one row more than shown to
 * know whether there is a next page without counting.
 *
 * @example
 * const page = await listPage(signInLog, db, tenantId, { user: "ada@" }, { top: 50 });
 * const next = await listPage(signInLog, db, tenantId, { user: "ada@" }, { top: 50, cursor: page.nextCursor });
 */
export async function listPage<F, R, V>(
  source: LogSource<F, R, V>,
  db: Kysely<IdentityDB>,
  tenantId: string,
  filter: F,
  page: { top: number; cursor?: string | undefined },
): Promise<Page<V>> {
  const after = page.cursor ? decodeCursor(page.cursor, source.cursorId) : undefined;
  const rows = await source
    .select(db, tenantId, filter, after)
    .limit(page.top + 1)
    .execute();
  const more = rows.length > page.top;
  const shown = more ? rows.slice(0, page.top) : rows;
  const last = shown[shown.length - 1];
  return {
    value: shown.map((row) => source.view(row)),
    nextCursor: more && last !== undefined ? encodeCursor(source.keyOf(last)) : undefined,
  };
}
