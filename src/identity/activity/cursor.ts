import { ApiError } from "../../platform/http/errors.ts";

/** A position in a newest-first listing: the last row seen, by time then a tiebreaker. */
export interface Keyset {
  at: Date;
  /** The row's id (sign-ins) or seq (audit events): unique, so no row is skipped or repeated. */
  id: string | number;
}

/**
 * Opaque keyset cursors for `@odata.nextLink`: base64url of `<epoch ms>.<id>`. Timestamps are
 * stored with millisecond precision, so the cursor names a row exactly.
 *
 * @example
 * const next = encodeCursor({ at: row.created_at, id: row.id });
 * const after = decodeCursor(query.cursor); // ApiError 400 when tampered with
 */
export function encodeCursor(keyset: Keyset): string {
  return Buffer.from(`${keyset.at.getTime()}.${keyset.id}`).toString("base64url");
}

export function decodeCursor(cursor: string, idKind: "uuid" | "seq"): Keyset {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^(\d{1,15})\.(.+)$/.exec(text);
  const id = match?.[2] ?? "";
  const idOk =
    idKind === "uuid"
      ? /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)
      : /^\d{1,15}$/.test(id);
  if (!match || !idOk)
    throw new ApiError(
      400,
      "request.invalid_cursor",
      "The cursor is not one this API issued. Follow @odata.nextLink as given, or start again without a cursor.",
    );
  return { at: new Date(Number(match[1])), id: idKind === "seq" ? Number(id) : id };
}
