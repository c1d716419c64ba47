import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/**
 * Hostile strings for the injection suites, and a real SMTP server that keeps each message's
 * raw MIME beside its parsed form (header injection shows only in the raw text).
 */

/** Sets `window.__pwned` if it ever runs as script. */
export const SCRIPT = "<script>window.__pwned=1</script>";
/** Breaks out of an attribute value and runs through an event handler. */
export const ATTRIBUTE_BREAKOUT = `"><img src=x onerror="window.__pwned=2">`;
export const SQL = "' OR 1=1 --";
/** U+202E RIGHT-TO-LEFT OVERRIDE: "exe.pdf" shown as "fdp.exe". */
export const RLO = "\u202E";
export const ZERO_WIDTH = "\u200B\u200D\uFEFF";

/**
 * One name carrying every payload a name may hold, under the 256-character limit of display
 * names (direction overrides and line breaks are refused at input: see injection.test.ts).
 */
export const HOSTILE_NAME = `Evil ${SCRIPT} ${ATTRIBUTE_BREAKOUT} ${SQL} x${ZERO_WIDTH}y`;

/** Markup that must never appear unescaped in a page or an HTML email. */
export function unescapedMarkup(html: string): string[] {
  const found: string[] = [];
  if (html.includes("<script>window.__pwned")) found.push("script tag");
  if (/<img src=x/i.test(html)) found.push("img tag");
  if (/onerror="window/.test(html)) found.push("onerror attribute");
  return found;
}

export interface RawMail {
  raw: string;
  parsed: ParsedMail;
}

export async function listenRawSmtp(): Promise<{
  port: number;
  inbox: RawMail[];
  close(): Promise<void>;
}> {
  const inbox: RawMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            inbox.push({ raw: raw.toString("utf8"), parsed });
            callback();
          },
          (error) => callback(error),
        );
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      resolve({
        port: (server.server.address() as AddressInfo).port,
        inbox,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** The header block of a raw message (up to the first empty line). */
export function headerBlock(raw: string): string {
  const end = raw.indexOf("\r\n\r\n");
  return end < 0 ? raw : raw.slice(0, end);
}
