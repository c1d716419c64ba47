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

// Stands for a cell boundary until the text is laid out (a private-use character, never in mail).
const CELL = "\uE000";

interface TableState {
  /** The open row: whether a cell of it has shown text yet. */
  row: { hasText: boolean } | undefined;
}

/**
 * Tags to line structure, in document order: block ends and `<br>` break lines, list items get
 * "- ", and tables are laid out a row per line with a cell boundary before every cell that
 * follows text in its row (nested tables, as mail layouts use, keep their own rows).
 */
function layOut(html: string): string {
  const tables: TableState[] = [];
  let out = "";
  // Rows and tables start and end lines, without blank lines between rows.
  const endLine = () => {
    if (!/\n[ \t]*$/.test(out)) out += "\n";
  };
  // A "<" that opens no tag (no ">" follows) is text, as it reads.
  for (const [token] of html.matchAll(/<[^>]*>|[^<]+|</g)) {
    if (token[0] !== "<" || token === "<") {
      out += token;
      const row = tables.at(-1)?.row;
      if (row && /\S/.test(token)) row.hasText = true;
      continue;
    }
    const tag = /^<\s*(\/?)\s*([a-z0-9]+)/i.exec(token);
    if (!tag) continue;
    const closing = tag[1] === "/";
    const name = (tag[2] ?? "").toLowerCase();
    const table = tables.at(-1);
    if (name === "table") {
      if (closing) tables.pop();
      else tables.push({ row: undefined });
      endLine();
    } else if (name === "tr") {
      if (table) table.row = closing ? undefined : { hasText: false };
      endLine();
    } else if ((name === "td" || name === "th") && !closing) {
      if (table?.row?.hasText) out += CELL;
    } else if (name === "br") {
      out += "\n";
    } else if (closing && /^(p|div|h[1-6]|li|blockquote|pre)$/.test(name)) {
      out += "\n";
    } else if (closing && name === "caption") {
      endLine();
    } else if (name === "li" && !closing) {
      out += "- ";
    }
  }
  return out;
}

/** The text of an HTML body; a table's rows on lines of their own, cells separated by " | ". */
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
    );
  return decodeEntities(layOut(text))
    .replace(/[ \t\f\v\r]+/g, " ")
    .replace(/ *\n */g, "\n")
    .split("\n")
    .map((line) =>
      line
        .replace(new RegExp(`^[ ${CELL}]+|[ ${CELL}]+$`, "g"), "")
        .replace(new RegExp(` ?${CELL} ?`, "g"), " | ")
        .replace(/ {2,}/g, " "),
    )
    .join("\n")
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
