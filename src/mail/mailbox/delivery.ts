import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { ApiError } from "../../platform/http/index.ts";
import type { EmailAddress, MailDB } from "../tables.ts";
import { domainOf, normaliseAddress } from "./addresses.ts";
import { bodyPreview } from "./body-text.ts";
import { selectHostedDomains } from "./domain-queries.ts";
import { insertMailbox, type Mailbox, selectMailboxByAddress } from "./mailbox-queries.ts";
import { insertMessage } from "./message-queries.ts";

// A Message-ID longer than this is replaced: it is indexed, and RFC 5322 lines stop at 998.
const MAX_MESSAGE_ID_LENGTH = 250;

export interface InboundAddress {
  address: string;
  name?: string | null;
}

/** A message arriving for one or more hosted mailboxes (from SMTP, sendMail, or seeding). */
export interface InboundMessage {
  from: InboundAddress;
  toRecipients?: InboundAddress[];
  ccRecipients?: InboundAddress[];
  /**
   * Where the message goes (the SMTP envelope's RCPT TO, which includes Bcc). Defaults to the
   * To and Cc addresses. The header lists above are shown to readers; this list is not.
   */
  recipients?: string[];
  subject?: string;
  body: { contentType: "text" | "html"; content: string };
  /** RFC 5322 Message-ID with its angle brackets; generated when absent. */
  internetMessageId?: string;
  sentAt?: Date | null;
  receivedAt?: Date;
}

export interface DeliveryResult {
  internetMessageId: string;
  /** One entry per recipient mailbox; `messageId` is null when that mailbox already had the message. */
  delivered: Array<{ address: string; mailboxId: string; messageId: string | null }>;
}

function displayList(list: InboundAddress[] | undefined): EmailAddress[] {
  return (list ?? []).map((a) => ({
    address: normaliseAddress(a.address) ?? a.address.trim(),
    name: a.name?.trim() || null,
  }));
}

/** The distinct normalised envelope recipients, or an ApiError naming the ones that are not addresses. */
export function envelopeRecipients(message: InboundMessage): string[] {
  const raw =
    message.recipients ??
    [...(message.toRecipients ?? []), ...(message.ccRecipients ?? [])].map((r) => r.address);
  const bad = raw.filter((a) => !normaliseAddress(a));
  if (bad.length > 0)
    throw new ApiError(
      400,
      "mail.invalid_address",
      `Not email addresses: ${bad.map((b) => `"${b}"`).join(", ")}.`,
    );
  const recipients = [...new Set(raw.map((a) => normaliseAddress(a) as string))];
  if (recipients.length === 0)
    throw new ApiError(
      400,
      "mail.no_recipients",
      "The message has no recipients: add at least one.",
    );
  return recipients;
}

/** The recipients whose domains Mail does not host (any tenant's hosted domain is deliverable). */
export async function unhostedRecipients(
  db: Kysely<MailDB>,
  recipients: readonly string[],
): Promise<string[]> {
  const hosted = await selectHostedDomains(db, [...new Set(recipients.map(domainOf))]);
  const domains = new Set(hosted.map((h) => h.domain));
  return recipients.filter((r) => !domains.has(domainOf(r)));
}

async function mailboxFor(trx: Transaction<MailDB>, address: string): Promise<Mailbox> {
  const domain = domainOf(address);
  const [hosted] = await selectHostedDomains(trx, [domain]);
  if (!hosted) throw new Error(`domain ${domain} is not hosted`);
  return (
    (await insertMailbox(trx, { tenantId: hosted.tenantId, address, domain })) ??
    ((await selectMailboxByAddress(trx, address)) as Mailbox)
  );
}

/** Files the message in every recipient's inbox, creating mailboxes on first delivery. */
export async function deliverWithin(
  trx: Transaction<MailDB>,
  message: InboundMessage,
): Promise<DeliveryResult> {
  const recipients = envelopeRecipients(message);
  const refused = await unhostedRecipients(trx, recipients);
  if (refused.length > 0)
    throw new ApiError(
      400,
      "mail.recipient_not_hosted",
      `This server does not host mail for ${refused.join(", ")}: Assent Mail only delivers to its hosted domains.`,
      { recipients: refused },
    );
  const from = normaliseAddress(message.from.address);
  if (!from)
    throw new ApiError(
      400,
      "mail.invalid_address",
      `"${message.from.address}" is not an email address.`,
    );
  const given = message.internetMessageId?.trim();
  const internetMessageId =
    given && given.length <= MAX_MESSAGE_ID_LENGTH ? given : `<${randomUUID()}@${domainOf(from)}>`;
  const receivedAt = message.receivedAt ?? new Date();
  const delivered: DeliveryResult["delivered"] = [];
  for (const address of recipients) {
    const mailbox = await mailboxFor(trx, address);
    const messageId = await insertMessage(trx, {
      tenantId: mailbox.tenantId,
      mailboxId: mailbox.id,
      folder: "inbox",
      internetMessageId,
      from: { address: from, name: message.from.name?.trim() || null },
      toRecipients: displayList(message.toRecipients),
      ccRecipients: displayList(message.ccRecipients),
      subject: message.subject ?? "",
      body: message.body,
      bodyPreview: bodyPreview(message.body),
      sentAt: message.sentAt ?? null,
      receivedAt,
      isRead: false,
    });
    delivered.push({ address, mailboxId: mailbox.id, messageId: messageId ?? null });
  }
  return { internetMessageId, delivered };
}

/**
 * Delivers a message to hosted mailboxes in one transaction: every recipient's inbox gets it,
 * or (when a recipient is not in a hosted domain, ApiError `mail.recipient_not_hosted`) none
 * does. Redelivering the same Message-ID files nothing twice. Pass a transaction to join it.
 *
 * @example
 * await deliver(database.db, {
 *   from: { address: "no-reply@assent.localhost", name: "Assent" },
 *   toRecipients: [{ address: "ada@contoso.com" }],
 *   subject: "Your request was approved",
 *   body: { contentType: "text", content: "Open https://localhost:4000/..." },
 * });
 */
export async function deliver<DB>(
  db: Kysely<DB>,
  message: InboundMessage,
): Promise<DeliveryResult> {
  const mailDb = db as unknown as Kysely<MailDB>;
  if (mailDb.isTransaction) return deliverWithin(mailDb as Transaction<MailDB>, message);
  return mailDb.transaction().execute((trx) => deliverWithin(trx, message));
}
