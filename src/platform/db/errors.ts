/** PostgreSQL error helpers, so services map constraint names to domain errors in one place. */

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  message?: string;
}

function asPg(error: unknown): PgError {
  return typeof error === "object" && error !== null ? (error as PgError) : {};
}

/** SQLSTATE 23505. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = asPg(error);
  return e.code === "23505" && (constraint === undefined || constraintOf(error) === constraint);
}

/** SQLSTATE 23503. */
export function isForeignKeyViolation(error: unknown): boolean {
  return asPg(error).code === "23503";
}

/**
 * The violated constraint's name. `pg` reports it as a field; PGlite may only name it in the
 * message, so fall back to parsing that.
 */
export function constraintOf(error: unknown): string | undefined {
  const e = asPg(error);
  if (e.constraint) return e.constraint;
  return /constraint "([^"]+)"/.exec(e.message ?? "")?.[1];
}
