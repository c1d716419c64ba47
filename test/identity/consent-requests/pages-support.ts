import { randomBytes } from "node:crypto";
import { type AddressInfo, createServer } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { type ParsedMail, simpleParser } from "mailparser";
import pino from "pino";
import { SMTPServer } from "smtp-server";
import { loadConfig } from "../../../src/config/index.ts";
import { createIdentityApp } from "../../../src/identity/app.ts";
import type { Application } from "../../../src/identity/apps/index.ts";
import {
  type IdentityBackground,
  startIdentityBackground,
} from "../../../src/identity/background.ts";
import type { User } from "../../../src/identity/directory/index.ts";
import { KeyRing } from "../../../src/platform/crypto/index.ts";
import type { TestDatabase } from "../../support/databases.ts";
import {
  authorizeRequest,
  expectApp,
  expectPage,
  type Stop,
  signInAndWalk,
  submit,
  walk,
  walkFromPost,
} from "../consent/support.ts";
import { type Browser, parseForm } from "../oauth/support/browser.ts";
import { type IdentityServer, PASSWORD } from "../oauth/support/fixture.ts";

/**
 * Helpers for the workflow's pages over HTTP: reach "Approval required" through the real
 * sign-in page, send the justification, read the pages' links and forms; and for the scenario,
 * a real SMTP server and the identity app sending to it from its background worker.
 */

export type Page = { url: URL; status: number; html: string };

/** Signs `user` in for `app` asking `scope`, and returns the page that stops the flow. */
export async function reachApprovalPage(
  browser: Browser,
  w: { issuer: string },
  app: Application,
  user: User,
  scope = "openid Mail.Read",
): Promise<Page & { verifier: string }> {
  const { url, verifier } = await authorizeRequest(w, app, scope);
  const page = expectPage(await signInAndWalk(browser, url, user));
  return { ...page, verifier };
}

/** Posts "Request approval" with a justification. */
export function requestApproval(browser: Browser, page: Page, justification: string) {
  return submit(browser, page, { justification });
}

/** The status page link of a "Request sent" page, resolved. */
export function statusLinkOf(page: Page): URL {
  const href = /<a href="([^"]+)">See the status of your request<\/a>/.exec(page.html)?.[1];
  if (!href) throw new Error(`no status link in: ${page.html.slice(0, 400)}`);
  return new URL(href.replace(/&amp;/g, "&"), page.url);
}

/** GETs a first-party page, signing in on its own sign-in form when it shows one. */
export async function openSignedIn(browser: Browser, url: URL, user: User): Promise<Page> {
  const first = expectPage(await walk(browser, url));
  if (!first.html.includes('name="password"')) return first;
  const { action, fields } = parseForm(first.html, first.url);
  const posted = await browser.post(action, {
    ...fields,
    username: user.userPrincipalName,
    password: PASSWORD,
  });
  return expectPage(await walkFromPost(browser, posted, action));
}

/** The query of the app's callback as an object. */
export function callbackParams(stop: Stop): Record<string, string> {
  return Object.fromEntries(expectApp(stop).searchParams);
}

/** Text of a page without tags, for readable assertions. */
export function textOf(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

/** A real SMTP server on loopback that files every message it accepts into `inbox`. */
export async function listenSmtp(
  inbox: ParsedMail[],
): Promise<{ port: number; close(): Promise<void> }> {
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
    server.listen(0, "127.0.0.1", () => {
      resolve({
        port: (server.server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

function recipients(mail: ParsedMail): string[] {
  const to = [mail.to ?? []].flat();
  return to.flatMap((a) => a.value.map((v) => (v.address ?? "").toLowerCase()));
}

/**
 * Waits until `inbox` holds a message to `address` whose subject matches, and returns it. The
 * outbox worker delivers in the background; the wait is bounded so a lost message fails.
 */
export async function waitForMail(
  inbox: ParsedMail[],
  address: string,
  subject: RegExp,
  timeoutMs = 30_000,
): Promise<ParsedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = inbox.find(
      (m) => recipients(m).includes(address.toLowerCase()) && subject.test(m.subject ?? ""),
    );
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(
        `no mail to ${address} matching ${subject}; inbox: ${inbox.map((m) => `${recipients(m)}: ${m.subject}`).join(" | ")}`,
      );
    await delay(100);
  }
}

/** Every link of an email's HTML body. */
export function linksOf(mail: ParsedMail): string[] {
  const html = typeof mail.html === "string" ? mail.html : "";
  return [...html.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] as string).replace(/&amp;/g, "&"));
}

/** A clock the workflow's background sweep reads: the wall clock plus `offsetMs`. */
export interface TestClock {
  offsetMs: number;
  now(): Date;
}

export interface MailingIdentity extends IdentityServer {
  background: IdentityBackground;
  clock: TestClock;
}

/**
 * The identity app on loopback with its email going to the SMTP server on `smtpPort`, and its
 * background worker (outbox: email, the workflow's notifications and sweep) polling quickly,
 * with the sweep on a clock the test can move forward.
 */
export async function startMailingIdentity(
  t: TestDatabase,
  smtpPort: number,
): Promise<MailingIdentity> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    ASSENT_IDENTITY_URL: baseUrl,
    ASSENT_SECRET_KEY: randomBytes(32).toString("base64"),
    LOG_LEVEL: "silent",
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    SMTP_FROM: "Assent <no-reply@assent.test>",
  });
  const keyRing = new KeyRing([randomBytes(32)]);
  const logger = pino({ level: "silent" });
  const app = await createIdentityApp({ config, database: t.database, keyRing, logger });
  await app.listen({ port, host: "127.0.0.1" });
  const clock: TestClock = {
    offsetMs: 0,
    now() {
      return new Date(Date.now() + this.offsetMs);
    },
  };
  const background = startIdentityBackground({
    db: t.database.db,
    logger,
    smtp: config.smtp,
    pollMs: 50,
    consentRequests: {
      publicUrl: baseUrl,
      keyRing,
      allowLoopbackWebhooks: true,
      now: () => clock.now(),
      sweepEveryMs: 200,
    },
  });
  return {
    app,
    baseUrl,
    keyRing,
    background,
    clock,
    async close() {
      await background.stop();
      await app.close();
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
