import nodemailer from "nodemailer";
import type { Logger } from "pino";

/** One outgoing message. `html` is optional; `text` is always sent (the plain-text part). */
export interface OutboundEmail {
  to: string | readonly string[];
  subject: string;
  text: string;
  html?: string;
  replyTo?: string;
  /** Extra headers, e.g. `List-Id` or `Auto-Submitted`; no CR or LF allowed. */
  headers?: Record<string, string>;
  /** RFC 5322 Message-ID (`<unique@domain>`); a retry with the same id lets receivers dedupe. */
  messageId?: string;
}

export interface SentEmail {
  messageId: string;
  accepted: string[];
  /** Recipients the server refused while accepting others; they are not retried. */
  rejected: string[];
}

export interface MailerOptions {
  /** `smtp://` or `smtps://` URL (credentials inside); undefined = email is not configured. */
  smtpUrl: string | undefined;
  /** The From header, e.g. `Assent <no-reply@example.com>`. */
  from: string;
  logger: Logger;
  /** Connection and greeting timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** Idle socket timeout during a transaction (default 30 s). */
  socketTimeoutMs?: number;
}

export interface Mailer {
  readonly from: string;
  /** false when no SMTP URL is configured: the portal then shows MAIL_NOT_CONFIGURED_MESSAGE. */
  isConfigured(): boolean;
  /** Sends one message over SMTP. Throws MailNotConfiguredError when not configured. */
  send(message: OutboundEmail): Promise<SentEmail>;
  /** Connects and greets the server (health checks, `assent` diagnostics). */
  verify(): Promise<void>;
  close(): void;
}

/**
 * What the portal shows while no SMTP server is configured. Notification emails are not lost
 * meanwhile: they wait in the outbox and go out once SMTP_URL is set and the service restarted.
 */
export const MAIL_NOT_CONFIGURED_MESSAGE =
  "Email is not configured: notification emails are waiting in the outbox and will be sent once an SMTP server is set (SMTP_URL).";

export class MailNotConfiguredError extends Error {
  override name = "MailNotConfiguredError";
  constructor() {
    super("SMTP is not configured (SMTP_URL is not set): the message waits in the outbox");
  }
}

const LINE_BREAK = /[\r\n]/;

function addressList(to: string | readonly string[]): string[] {
  const list = (typeof to === "string" ? [to] : [...to]).map((a) => a.trim()).filter(Boolean);
  if (list.length === 0) throw new Error("an email needs at least one recipient");
  for (const address of list) {
    if (LINE_BREAK.test(address)) throw new Error("a recipient address contains a line break");
  }
  return list;
}

function checkHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  for (const [name, value] of Object.entries(headers ?? {})) {
    // A line break in a header would start a new header (or the body) chosen by whoever
    // supplied the value: RFC 5322 §2.2 header injection.
    if (!/^[A-Za-z0-9-]+$/.test(name) || LINE_BREAK.test(value)) {
      throw new Error(`header ${JSON.stringify(name)} is not a valid single-line header`);
    }
  }
  return headers ?? {};
}

const asText = (a: unknown) =>
  typeof a === "string" ? a : ((a as { address?: string }).address ?? "");

/**
 * Outbound email over SMTP with nodemailer: one connection per message, so a restarted mail
 * server costs nothing but the failed attempts, which the outbox retries.
 *
 * @example
 * const mailer = createMailer({ smtpUrl: config.smtp?.url, from: config.smtpFrom, logger });
 * if (!mailer.isConfigured()) logger.warn(MAIL_NOT_CONFIGURED_MESSAGE);
 * await mailer.send({ to: "ada@contoso.example", subject: "Hello", text: "Hello" });
 */
export function createMailer(options: MailerOptions): Mailer {
  const { smtpUrl, from } = options;
  const logger = options.logger.child({ component: "mailer" });
  const connectTimeout = options.connectTimeoutMs ?? 10_000;
  const transport = smtpUrl
    ? nodemailer.createTransport({
        url: smtpUrl,
        connectionTimeout: connectTimeout,
        greetingTimeout: connectTimeout,
        socketTimeout: options.socketTimeoutMs ?? 30_000,
      })
    : undefined;

  return {
    from,
    isConfigured: () => transport !== undefined,
    async send(message) {
      if (!transport) throw new MailNotConfiguredError();
      const to = addressList(message.to);
      const info = await transport.sendMail({
        from,
        to,
        // Folded to one line: a subject carrying attacker text must not add headers.
        subject: message.subject.replace(/[\r\n]+/g, " "),
        text: message.text,
        ...(message.html !== undefined ? { html: message.html } : {}),
        ...(message.replyTo !== undefined ? { replyTo: addressList(message.replyTo)[0] } : {}),
        ...(message.messageId !== undefined ? { messageId: message.messageId } : {}),
        headers: checkHeaders(message.headers),
      });
      const sent: SentEmail = {
        messageId: info.messageId,
        accepted: info.accepted.map(asText),
        rejected: info.rejected.map(asText),
      };
      if (sent.rejected.length > 0) {
        logger.warn(
          { messageId: sent.messageId, rejected: sent.rejected.length },
          "the mail server refused some recipients",
        );
      }
      logger.debug({ messageId: sent.messageId, recipients: to.length }, "email sent");
      return sent;
    },
    async verify() {
      if (!transport) throw new MailNotConfiguredError();
      await transport.verify();
    },
    close() {
      transport?.close();
    },
  };
}
