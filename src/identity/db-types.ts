import type { ColumnType } from "kysely";

/** A timestamptz column: read as Date, written as Date or ISO string, defaulted by the database when omitted. */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A jsonb column: read parsed, written as a JSON string (both dialects then agree). */
export type Json<T> = ColumnType<T, string, string>;
