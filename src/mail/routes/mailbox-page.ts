import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import {
  normaliseAddress,
  selectAllMailboxes,
  selectMailboxByAddress,
  selectMessages,
} from "../mailbox/index.ts";
import { mailboxIndexPage, mailboxMessagesPage, noMailboxPage } from "../pages/mailbox-page.tsx";
import type { MailDB } from "../tables.ts";

// Enough for a development session; older mail is still available through the API.
const PAGE_MESSAGES = 100;
const PAGE_MAILBOXES = 500;

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/**
 * Only a person on this machine may read mailboxes without a token: the TCP peer must be a
 * loopback address (the socket's, never X-Forwarded-For), and a request that came through a
 * proxy (which may itself sit on loopback) is refused too.
 */
function fromThisMachine(request: FastifyRequest): boolean {
  const peer = request.raw.socket.remoteAddress ?? "";
  const proxied =
    request.headers["x-forwarded-for"] !== undefined ||
    request.headers.forwarded !== undefined ||
    request.headers["x-real-ip"] !== undefined;
  return LOOPBACK.test(peer) && !proxied;
}

function html(reply: FastifyReply, status: number, body: string) {
  return reply
    .status(status)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(body);
}

/**
 * `GET /mailbox[?address=]`: a development page showing the mail Assent's notifications
 * delivered, so a person running `assent start` can read them and follow their links.
 * Enabled by ASSENT_MAIL_MAILBOX_PAGE (default on outside production); loopback only.
 */
export function mailboxPage({ db }: { db: Kysely<MailDB> }) {
  return async (app: FastifyInstance) => {
    app.get("/mailbox", async (request, reply) => {
      if (!fromThisMachine(request))
        return reply.status(404).send({
          error: { code: "route.not_found", message: "No route GET /mailbox." },
          request_id: request.id,
        });
      const raw = (request.query as Record<string, unknown>).address;
      if (typeof raw !== "string" || raw.trim() === "")
        return html(reply, 200, mailboxIndexPage(await selectAllMailboxes(db, PAGE_MAILBOXES)));
      const address = normaliseAddress(raw);
      const mailbox = address ? await selectMailboxByAddress(db, address) : undefined;
      if (!mailbox) return html(reply, 404, noMailboxPage(raw));
      const messages = await selectMessages(db, {
        tenantId: mailbox.tenantId,
        mailboxId: mailbox.id,
        order: "desc",
        limit: PAGE_MESSAGES,
        offset: 0,
      });
      return html(reply, 200, mailboxMessagesPage(mailbox, messages));
    });
  };
}
