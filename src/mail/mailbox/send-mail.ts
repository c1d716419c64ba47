import type { Kysely } from "kysely";
import { ApiError } from "../../platform/http/index.ts";
import type { MailDB } from "../tables.ts";
import { normaliseAddress } from "./addresses.ts";
import { bodyPreview } from "./body-text.ts";
import {
  type DeliveryResult,
  deliverWithin,
  envelopeRecipients,
  type InboundAddress,
  unhostedRecipients,
} from "./delivery.ts";
import type { Mailbox } from "./mailbox-queries.ts";
import { insertMessage } from "./message-queries.ts";

const displayAddress = (r: InboundAddress) => ({
  address: normaliseAddress(r.address) ?? r.address,
  name: r.name?.trim() || null,
});

export interface OutgoingMessage {
  subject: string;
  body: { contentType: "text" | "html"; content: string };
  toRecipients: InboundAddress[];
  ccRecipients: InboundAddress[];
  bccRecipients: InboundAddress[];
  saveToSentItems: boolean;
}

/**
 * Sends a message from a mailbox (Graph's sendMail). Assent Mail is not a relay: every
 * recipient must be in a hosted domain (of any tenant), or nothing is sent and ApiError
 * `mail.recipient_not_hosted` names the others. Delivery to every inbox and the sender's
 * Sent Items copy are written in one transaction.
 */
export async function sendMail(
  db: Kysely<MailDB>,
  sender: Mailbox,
  message: OutgoingMessage,
): Promise<DeliveryResult> {
  const recipients = envelopeRecipients({
    from: { address: sender.address },
    body: message.body,
    recipients: [...message.toRecipients, ...message.ccRecipients, ...message.bccRecipients].map(
      (r) => r.address,
    ),
  });
  const refused = await unhostedRecipients(db, recipients);
  if (refused.length > 0)
    throw new ApiError(
      400,
      "mail.recipient_not_hosted",
      `Assent Mail delivers only to the domains it hosts; these recipients are elsewhere: ${refused.join(", ")}. Nothing was sent.`,
      { recipients: refused },
    );
  const now = new Date();
  return db.transaction().execute(async (trx) => {
    const from = { address: sender.address, name: sender.displayName };
    const result = await deliverWithin(trx, {
      from,
      toRecipients: message.toRecipients,
      ccRecipients: message.ccRecipients,
      recipients,
      subject: message.subject,
      body: message.body,
      sentAt: now,
      receivedAt: now,
    });
    if (message.saveToSentItems)
      await insertMessage(trx, {
        tenantId: sender.tenantId,
        mailboxId: sender.id,
        folder: "sentitems",
        internetMessageId: result.internetMessageId,
        from,
        toRecipients: message.toRecipients.map(displayAddress),
        ccRecipients: message.ccRecipients.map(displayAddress),
        subject: message.subject,
        body: message.body,
        bodyPreview: bodyPreview(message.body),
        sentAt: now,
        receivedAt: now,
        isRead: true,
      });
    return result;
  });
}
