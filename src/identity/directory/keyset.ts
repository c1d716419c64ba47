import { ApiError } from "../../platform/http/errors.ts";

/**
 * Keyset paging of listings sorted by name (users by principal name, groups and enterprise apps
 * by display name): the cursor is the sort key of the last row shown, so rows added or removed
 * while someone pages never shift a page. Cursors are opaque to callers: base64url of a JSON
 * array of strings.
 */

/** A page: `nextCursor` is undefined on the last page. */
export interface NamePage<T> {
  value: T[];
  nextCursor: string | undefined;
}

/** Paging input of the searchable listings. */
export interface NameQuery {
  /** Case-insensitive prefix of a name (or of a word of a display name). */
  search?: string | undefined;
  /** Rows per page. */
  top: number;
  cursor?: string | undefined;
}

export function encodeNameCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** The key a cursor holds; a 400 `request.invalid_cursor` for anything this API did not issue. */
export function decodeNameCursor(cursor: string, length: number): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    key = undefined;
  }
  if (
    !Array.isArray(key) ||
    key.length !== length ||
    !key.every((k) => typeof k === "string" && k.length <= 1024)
  )
    throw new ApiError(
      400,
      "request.invalid_cursor",
      "The cursor is not one this API issued. Follow @odata.nextLink as given, or start again without a cursor.",
    );
  return key as string[];
}

/** A LIKE pattern matching values that start with `prefix` (its wildcards escaped). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Cuts a page out of `top + 1` rows read past the cursor: one more than asked tells whether a
 * next page exists without a count.
 */
export function toNamePage<T>(rows: T[], top: number, keyOf: (row: T) => string[]): NamePage<T> {
  const more = rows.length > top;
  const value = more ? rows.slice(0, top) : rows;
  const last = value[value.length - 1];
  return { value, nextCursor: more && last ? encodeNameCursor(keyOf(last)) : undefined };
}
