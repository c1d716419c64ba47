/** Time filters of the log pages: `<input type="datetime-local">` values and ISO instants. */

/** An ISO instant as a datetime-local value in the reader's time zone (minutes). */
export function localInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A datetime-local value as an ISO instant; `end` makes it the last millisecond of that minute,
 * so "to 14:05" includes what happened during 14:05.
 */
export function isoOf(local: string, end = false): string {
  if (!local) return "";
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return "";
  return new Date(d.getTime() + (end ? 59_999 : 0)).toISOString();
}

/** The query string of the filters that have a value, in the order given. */
export function filterQuery(values: Record<string, string>, keys: string[]): URLSearchParams {
  const q = new URLSearchParams();
  for (const key of keys) {
    const v = values[key]?.trim();
    if (v) q.set(key, v);
  }
  return q;
}
