const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True for the GUID form Entra and Assent use for tenant, object and message ids. Checked
 * before any such value reaches a uuid column, so a malformed id is a 4xx, never a SQL error.
 */
export function isGuid(value: unknown): value is string {
  return typeof value === "string" && GUID.test(value);
}
