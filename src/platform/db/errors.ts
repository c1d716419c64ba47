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

// Connection-level failures: the database is down, restarting or refusing connections. Class 08
// (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect now), 53300 (too
// many connections); and the errors `pg` raises for a lost or unobtainable connection.
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command/i;

/**
 * True when `error` means the database cannot be reached right now (as opposed to a bad query):
 * the caller answers 503 "try again" instead of 500, and nothing is half-done (the transaction
 * never committed).
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 4 || typeof error !== "object" || error === null) return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (
    typeof e.code === "string" &&
    (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_CODES.has(e.code))
  )
    return true;
  if (typeof e.message === "string" && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  // AggregateError (a connect to every address failed) and wrapped causes.
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1)))
    return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/** What a request answers while the database is unreachable. */
export const DATABASE_UNAVAILABLE_MESSAGE =
  "The service is temporarily unavailable: its database cannot be reached. Try again in a few seconds.";
