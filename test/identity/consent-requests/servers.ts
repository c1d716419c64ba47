import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** Real receivers for the notification tests: an SMTP server and an HTTP webhook receiver. */

export interface TestSmtp {
  port: number;
  inbox: ParsedMail[];
  close(): Promise<void>;
}

/** An SMTP server on 127.0.0.1 filing every message it accepts into `inbox`. */
export function listenSmtp(inbox: ParsedMail[] = [], port = 0): Promise<TestSmtp> {
  const server = new SMTPServer({
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
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      resolve({
        port: (server.server.address() as AddressInfo).port,
        inbox,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** A port that refuses connections (an SMTP server that is down). */
export async function downPort(): Promise<number> {
  const probe = await listenSmtp();
  await probe.close();
  return probe.port;
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP receiver answering each request with the next scripted status (then 200). */
export async function listenReceiver(script: number[] = []) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const status = script.shift() ?? 200;
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status >= 300 ? "receiver is failing" : "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` until it is true (or fails after `ms`): outcomes, never timing, are asserted. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(25);
  }
}
