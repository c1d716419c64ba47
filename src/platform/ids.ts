const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True when `value` can be compared with a uuid column. Ids arrive from the network (client ids,
 * tenant references, path segments) and PostgreSQL rejects a malformed one with an error, so
 * lookups check the shape first and treat anything else as "not found".
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
