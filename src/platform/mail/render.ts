/**
 * Renders notification emails from structured blocks into an HTML part and a plain-text part.
 * Every interpolated value is treated as hostile — app names, publisher names, justifications
 * and denial reasons are typed by people outside the administrator's control — so each is
 * cleaned of control and bidirectional-override characters and HTML-escaped; links must be
 * http(s). There is no way to pass raw HTML in.
 */

/** Text, bold text, or a link inside a paragraph. */
export type Inline = string | { strong: string } | { link: { text: string; url: string } };

export type EmailBlock =
  | { type: "paragraph"; content: Inline | readonly Inline[] }
  | { type: "button"; label: string; url: string }
  /** Label/value rows: "Application: Contoso Mail". */
  | { type: "details"; rows: ReadonlyArray<readonly [label: string, value: string]> }
  /** Someone's own words (a justification, a reason), shown as a quotation. */
  | { type: "quote"; text: string; attribution?: string };

export interface EmailContent {
  subject: string;
  heading?: string;
  blocks: readonly EmailBlock[];
  /** Small print: why the recipient gets this email. */
  footer?: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

// 200 characters: subjects longer than this are cut by most clients anyway, and a bounded
// subject keeps an attacker-chosen app name from pushing the real subject out of view.
const SUBJECT_MAX = 200;

// C0/C1 controls except tab and line feed, and the Unicode bidirectional controls that can
// make "moc.evil" read as "live.com" (CVE-2021-42574, "Trojan Source").
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Removes control and bidi-override characters; normalises line breaks to \n. */
export function cleanText(value: string): string {
  return String(value).replace(/\r\n?/g, "\n").replace(UNSAFE, "");
}

/** Escapes the five characters that matter in HTML text and attribute values. */
export function escapeHtml(value: string): string {
  return cleanText(value)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** The URL, normalised, if it is http(s); otherwise throws (no javascript:, data:, ...). */
export function safeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a valid link: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new Error(`links in emails must be http(s), not ${parsed.protocol}`);
  }
  return parsed.href;
}

/** One line, bounded: for subjects. */
export function singleLine(value: string, max = SUBJECT_MAX): string {
  const line = cleanText(value).replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function inlineList(content: Inline | readonly Inline[]): readonly Inline[] {
  return typeof content === "string" || !Array.isArray(content)
    ? [content as Inline]
    : (content as readonly Inline[]);
}

const P = "margin:0 0 16px;font-size:15px;line-height:1.5;color:#1b1b1b";

function inlineHtml(part: Inline): string {
  if (typeof part === "string") return escapeHtml(part);
  if ("strong" in part) return `<strong>${escapeHtml(part.strong)}</strong>`;
  return `<a href="${escapeHtml(safeUrl(part.link.url))}" style="color:#0f6cbd">${escapeHtml(part.link.text)}</a>`;
}

function inlineText(part: Inline): string {
  if (typeof part === "string") return cleanText(part);
  if ("strong" in part) return cleanText(part.strong);
  return `${cleanText(part.link.text)} (${safeUrl(part.link.url)})`;
}

function blockHtml(block: EmailBlock): string {
  switch (block.type) {
    case "paragraph":
      return `<p style="${P}">${inlineList(block.content).map(inlineHtml).join("")}</p>`;
    case "button":
      return `<p style="margin:24px 0"><a href="${escapeHtml(safeUrl(block.url))}" style="background:#0f6cbd;color:#ffffff;padding:10px 20px;border-radius:4px;text-decoration:none;font-weight:600;display:inline-block">${escapeHtml(block.label)}</a></p>`;
    case "details":
      return `<table role="presentation" style="border-collapse:collapse;margin:0 0 16px;font-size:14px">${block.rows
        .map(
          ([label, value]) =>
            `<tr><td style="padding:4px 16px 4px 0;color:#616161;vertical-align:top">${escapeHtml(label)}</td><td style="padding:4px 0;color:#1b1b1b;white-space:pre-wrap">${escapeHtml(value)}</td></tr>`,
        )
        .join("")}</table>`;
    case "quote":
      return `<blockquote style="margin:0 0 16px;padding:8px 16px;border-left:3px solid #d1d1d1;color:#424242;white-space:pre-wrap">${escapeHtml(block.text)}${
        block.attribution
          ? `<br><span style="color:#616161">— ${escapeHtml(block.attribution)}</span>`
          : ""
      }</blockquote>`;
  }
}

function blockText(block: EmailBlock): string {
  switch (block.type) {
    case "paragraph":
      return inlineList(block.content).map(inlineText).join("");
    case "button":
      return `${cleanText(block.label)}: ${safeUrl(block.url)}`;
    case "details":
      return block.rows
        .map(([label, value]) => `${cleanText(label)}: ${cleanText(value)}`)
        .join("\n");
    case "quote": {
      const quoted = cleanText(block.text)
        .split("\n")
        .map((line) => `> ${line}`)
        .join("\n");
      return block.attribution ? `${quoted}\n> — ${cleanText(block.attribution)}` : quoted;
    }
  }
}

/**
 * Renders an email. Throws on a non-http(s) link, so a bad link fails the caller, not the reader.
 *
 * @example
 * const email = renderEmail({
 *   subject: `Review the request for ${app.displayName}`,
 *   heading: "An app is waiting for your approval",
 *   blocks: [
 *     { type: "paragraph", content: [{ strong: requester.displayName }, " asked to use ", { strong: app.displayName }, "."] },
 *     { type: "quote", text: justification, attribution: requester.userPrincipalName },
 *     { type: "button", label: "Review request", url: reviewUrl },
 *   ],
 * });
 * await enqueueEmail(trx, "identity", { to: reviewer.email, ...email }, { tenantId });
 */
export function renderEmail(content: EmailContent): RenderedEmail {
  const subject = singleLine(content.subject);
  const body = content.blocks.map(blockHtml).join("\n");
  const heading = content.heading
    ? `<h1 style="margin:0 0 16px;font-size:20px;line-height:1.3;color:#1b1b1b">${escapeHtml(content.heading)}</h1>`
    : "";
  const footer = content.footer
    ? `<p style="margin:24px 0 0;font-size:12px;color:#707070">${escapeHtml(content.footer)}</p>`
    : "";
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f5f5f5;font-family:'Segoe UI',Helvetica,Arial,sans-serif">
<div style="max-width:600px;margin:0 auto;background:#ffffff;padding:32px;border-radius:8px">
${heading}
${body}
${footer}
</div>
</body></html>
`;
  const textParts = [
    ...(content.heading ? [cleanText(content.heading)] : []),
    ...content.blocks.map(blockText),
    ...(content.footer ? [`--\n${cleanText(content.footer)}`] : []),
  ];
  return { subject, html, text: `${textParts.join("\n\n")}\n` };
}
