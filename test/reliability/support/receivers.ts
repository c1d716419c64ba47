import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/**
 * An SMTP server and a webhook receiver that can be taken down and brought back on the SAME
 * port (a receiver's outage, not a new receiver), counting what they accept by id.
 */
export interface Receiver {
  port: number;
  up(): Promise<void>;
  down(): Promise<void>;
}

export interface SmtpReceiver extends Receiver {
  inbox: ParsedMail[];
  /** How many times each Message-ID arrived. */
  counts(): Map<string, number>;
}

export async function smtpReceiver(): Promise<SmtpReceiver> {
  const inbox: ParsedMail[] = [];
  let server: SMTPServer | undefined;
  let port = 0;
  const receiver: SmtpReceiver = {
    inbox,
    get port() {
      return port;
    },
    async up() {
      const s = new SMTPServer({
        authOptional: true,
        disabledCommands: ["STARTTLS", "AUTH"],
        logger: false,
        onData(stream, _session, callback) {
          simpleParser(stream).then(
            (mail) => {
              inbox.push(mail);
              callback();
            },
            (error) => callback(error),
          );
        },
      });
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(port, "127.0.0.1", () => resolve());
      });
      port = (s.server.address() as AddressInfo).port;
      server = s;
    },
    async down() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((done) => s.close(() => done()));
    },
    counts() {
      const counts = new Map<string, number>();
      for (const m of inbox)
        counts.set(String(m.messageId), (counts.get(String(m.messageId)) ?? 0) + 1);
      return counts;
    },
  };
  await receiver.up();
  return receiver;
}

export interface WebhookReceiver extends Receiver {
  url: string;
  received: Array<{ id: string; type: string; body: string }>;
  counts(): Map<string, number>;
}

/** Answers 200 to every delivery and records its `webhook-id`. */
export async function webhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookReceiver["received"] = [];
  let server: Server | undefined;
  let port = 0;
  const receiver: WebhookReceiver = {
    received,
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}/hooks`;
    },
    async up() {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          let type = "";
          try {
            type = String((JSON.parse(body) as { type?: string }).type ?? "");
          } catch {}
          received.push({ id: String(req.headers["webhook-id"]), type, body });
          res.writeHead(200, { "content-type": "text/plain" });
          res.end("ok");
        });
      });
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(port, "127.0.0.1", () => resolve());
      });
      port = (s.address() as AddressInfo).port;
      server = s;
    },
    async down() {
      const s = server;
      server = undefined;
      if (s)
        await new Promise<void>((done) => {
          s.closeAllConnections();
          s.close(() => done());
        });
    },
    counts() {
      const counts = new Map<string, number>();
      for (const r of received) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
      return counts;
    },
  };
  await receiver.up();
  return receiver;
}
