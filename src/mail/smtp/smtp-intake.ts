import type { AddressInfo } from "node:net";
import { Transform } from "node:stream";
import type { Kysely } from "kysely";
import { simpleParser } from "mailparser";
import type { Logger } from "pino";
import {
  SMTPServer,
  type SMTPServerAddress,
  type SMTPServerDataStream,
  type SMTPServerSession,
} from "smtp-server";
import { ApiError } from "../../platform/http/index.ts";
import { deliver, domainOf, normaliseAddress, selectHostedDomain } from "../mailbox/index.ts";
import type { MailDB } from "../tables.ts";
import { inboundFromParsed } from "./parsed-message.ts";

export interface SmtpIntakeOptions {
  db: Kysely<MailDB>;
  logger: Logger;
  /** 0 picks a free port (tests). */
  port: number;
  /** Largest message accepted, in bytes (advertised with SIZE, RFC 1870). */
  maxBytes: number;
  /** How long close() waits for open sessions before cutting them. */
  closeTimeoutMs?: number;
}

export interface SmtpIntake {
  /** The port it listens on (127.0.0.1). */
  port: number;
  close(): Promise<void>;
}

// RFC 5321 §4.5.3.1.8: a server must accept at least 100 recipients per message; more are
// deferred (452) so the client sends them in another transaction.
const MAX_RECIPIENTS = 100;

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/**
 * Listens for SMTP on 127.0.0.1 only and files mail for the hosted domains into their mailboxes.
 * There is no authentication and no TLS: it is an intake for this machine's own notification
 * mail (Identity's SMTP_URL points here under `assent start`), and must never be exposed beyond
 * loopback. RCPT TO a domain that is not hosted is refused with 550 (it is not a relay).
 */
export async function listenSmtpIntake(options: SmtpIntakeOptions): Promise<SmtpIntake> {
  const { db, logger } = options;
  const log = logger.child({ service: "mail-smtp" });

  async function onRcptTo(address: SMTPServerAddress, session: SMTPServerSession) {
    const recipient = normaliseAddress(address.address);
    if (!recipient) throw smtpError(553, "5.1.3 Bad recipient address syntax");
    if (session.envelope.rcptTo.length >= MAX_RECIPIENTS)
      throw smtpError(452, "4.5.3 Too many recipients; send the rest in another message");
    let hosted: Awaited<ReturnType<typeof selectHostedDomain>>;
    try {
      hosted = await selectHostedDomain(db, domainOf(recipient));
    } catch (error) {
      log.error({ err: error }, "recipient lookup failed");
      throw smtpError(451, "4.3.0 Temporary failure; try again later");
    }
    if (!hosted)
      throw smtpError(
        550,
        `5.7.1 Relaying denied: ${domainOf(recipient)} is not a domain hosted here`,
      );
  }

  async function onData(stream: SMTPServerDataStream, session: SMTPServerSession) {
    // smtp-server keeps streaming past the SIZE limit (it only flags it), so stop feeding the
    // parser there: an oversized message costs no more memory than the limit.
    let seen = 0;
    const capped = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        done(null, seen <= options.maxBytes ? chunk : undefined);
      },
    });
    const parsed = await simpleParser(stream.pipe(capped), {
      skipTextToHtml: true,
      skipImageLinks: true,
    });
    if (stream.sizeExceeded)
      throw smtpError(552, `5.3.4 Message too big: the limit is ${options.maxBytes} bytes`);
    const envelope = {
      mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
      rcptTo: session.envelope.rcptTo.map((r) => r.address),
    };
    try {
      const result = await deliver(db, inboundFromParsed(parsed, envelope));
      log.info(
        { messageId: result.internetMessageId, recipients: envelope.rcptTo.length },
        "mail filed",
      );
    } catch (error) {
      if (error instanceof ApiError && error.status < 500)
        throw smtpError(550, `5.6.0 ${error.message}`);
      log.error({ err: error }, "filing mail failed");
      throw smtpError(451, "4.3.0 Temporary failure; try again later");
    }
  }

  const server = new SMTPServer({
    name: "assent-mail",
    banner: "Assent Mail intake (loopback only)",
    // Loopback only, so no AUTH and no STARTTLS (see above).
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    size: options.maxBytes,
    logger: false,
    closeTimeout: options.closeTimeoutMs ?? 10_000,
    onRcptTo(address, session, callback) {
      onRcptTo(address, session).then(() => callback(), callback);
    },
    onData(stream, session, callback) {
      onData(stream, session).then(
        () => callback(),
        (error: Error) => {
          // A parse failure part-way leaves input unread; drain it so the session can answer.
          stream.resume();
          callback(error);
        },
      );
    },
  });
  server.on("error", (error) => log.warn({ err: error }, "SMTP session error"));

  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  log.info({ port }, "SMTP intake listening on 127.0.0.1");
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
