/**
 * Freezing for what a node shares between requests (the tenant a coalesced read returns, the
 * catalog's values): a request that tried to change a shared object would change it for every
 * other request, so the attempt throws instead (ES modules run in strict mode). Object.freeze
 * alone leaves a Date's time settable (it lives in an internal slot), so Dates are replaced by
 * copies whose setters throw.
 */

/** A Date whose setters throw: its time is fixed when it is made. */
class FrozenDate extends Date {}
for (const name of Object.getOwnPropertyNames(Date.prototype))
  if (name.startsWith("set"))
    Object.defineProperty(FrozenDate.prototype, name, {
      value: () => {
        throw new TypeError(`Cannot change a shared date (${name}): it is read-only.`);
      },
    });

/** A copy of `date` that cannot be changed: its set* methods throw a TypeError. */
export function frozenDate(date: Date): Date {
  if (date instanceof FrozenDate) return date;
  return Object.freeze(new FrozenDate(date.getTime()));
}

/**
 * Freezes `value` and everything reachable through its own properties and array items, Dates
 * included (replaced by frozen copies). Maps and Sets are not supported: keep them out of shared
 * values. Returns `value` itself.
 *
 * @example
 * const tenant = deepFreeze({ id, createdAt: new Date() });
 * tenant.createdAt.setTime(0); // TypeError
 */
export function deepFreeze<T>(value: T): T {
  if (!value || typeof value !== "object" || Object.isFrozen(value)) return value;
  if (value instanceof Date) return frozenDate(value) as T;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const inner = record[key];
    if (inner instanceof Date) record[key] = frozenDate(inner);
    else deepFreeze(inner);
  }
  return Object.freeze(value);
}
