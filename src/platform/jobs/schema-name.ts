import { type RawBuilder, sql } from "kysely";

// Schema names are interpolated as identifiers into DDL and queries; only plain lower-case
// PostgreSQL identifiers (63 bytes, NAMEDATALEN - 1) are accepted, so nothing can be smuggled in.
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/** Throws unless `schema` is a plain lower-case identifier such as `identity`. */
export function assertSchemaName(schema: string): string {
  if (!SCHEMA.test(schema)) {
    throw new Error(`"${schema}" is not a valid schema name (lower-case letters, digits, _)`);
  }
  return schema;
}

/** `schema.table` as a quoted identifier for `sql` templates. */
export function tableRef(schema: string, table: string): RawBuilder<unknown> {
  return sql.id(assertSchemaName(schema), table) as unknown as RawBuilder<unknown>;
}
