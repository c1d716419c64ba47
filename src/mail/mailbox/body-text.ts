/**
 * Plain text of a message body, for `bodyPreview` and the mailbox page. HTML is reduced to its
 * text with block elements as line breaks and each link's target kept beside its text, so a
 * person reading the text can still follow "Review the request" links. Not a sanitizer: the
 * result is text and must be escaped wherever it is written into HTML.
 */

// Graph's bodyPreview is "the first 255 characters of the message body".
export const BODY_PREVIEW_LENGTH = 255;

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === "#") {
      const code =
        entity[1] === "x" || entity[1] === "X"
          ? Number.parseInt(entity.slice(2), 16)
          : Number.parseInt(entity.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

/** The text of an HTML body. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(
      /<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]*?)<\/a\s*>/gi,
      (_m, d: string | undefined, s: string | undefined, u: string | undefined, inner: string) => {
        const href = decodeEntities(d ?? s ?? u ?? "").trim();
        const label = inner.replace(/<[^>]*>/g, "").trim();
        if (!/^https?:\/\//i.test(href)) return label;
        return label && decodeEntities(label) !== href ? `${label} (${href})` : href;
      },
    )
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|tr|h[1-6]|li|table|blockquote|pre)\s*>/gi, "\n")
    .replace(/<li\b[^>]*>/gi, "- ")
    .replace(/<[^>]*>/g, "");
  return decodeEntities(text)
    .replace(/[ \t\f\v\r]+/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** The body as plain text, whatever its content type. */
export function bodyText(body: { contentType: "text" | "html"; content: string }): string {
  return body.contentType === "html" ? htmlToText(body.content) : body.content.trim();
}

/** Graph's bodyPreview: the body's text on one line, cut to 255 characters. */
export function bodyPreview(body: { contentType: "text" | "html"; content: string }): string {
  return Array.from(bodyText(body).replace(/\s+/g, " ")).slice(0, BODY_PREVIEW_LENGTH).join("");
}
