/**
 * Text PostgreSQL cannot hold: a NUL byte (text and jsonb refuse it, SQLSTATE 22021), or a
 * UTF-16 surrogate without its pair (JSON allows `"\ud800"`; jsonb refuses it). Mail checks for
 * it where outside text enters (requests, token claims, addresses) so that such input is a 400
 * in words, or is ignored, rather than a failed query.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what it looks for.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the text holds a NUL byte or an unpaired surrogate. */
export function hasUnstorableText(text: string): boolean {
  return UNSTORABLE.test(text);
}

/** Where in a parsed value (query, params, JSON body) a string or key holds such text, as a field path. */
export function unstorableAt(value: unknown, path = "", depth = 0): string | undefined {
  if (typeof value === "string") return hasUnstorableText(value) ? path : undefined;
  if (depth > 32 || value === null || typeof value !== "object") return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = hasUnstorableText(key)
      ? path
      : unstorableAt(item, path ? `${path}.${key}` : key, depth + 1);
    if (at !== undefined) return at;
  }
  return undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what it removes.
const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The text as PostgreSQL can hold it: NUL bytes removed, unpaired surrogates replaced with
 * U+FFFD. For mail that arrives over SMTP, which is filed as well as it can be rather than
 * refused for a stray byte (the sender could do nothing about a 550, and a 451 would have it
 * retry forever).
 */
export function storableText(text: string): string {
  return hasUnstorableText(text) ? text.replace(NUL, "").replace(LONE_SURROGATE, "\uFFFD") : text;
}
