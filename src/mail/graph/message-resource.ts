import type { MessageRow } from "../mailbox/message-queries.ts";
import type { EmailAddress } from "../tables.ts";
import type { MessageProperty } from "./odata-query.ts";

/** Graph writes dateTimeOffset values in UTC without fractional seconds. */
export function graphDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function recipient(address: EmailAddress) {
  return { emailAddress: { name: address.name ?? address.address, address: address.address } };
}

export interface MessageView {
  /** Properties to return; undefined means all. */
  select?: MessageProperty[] | undefined;
  /**
   * False under Mail.ReadBasic (and Mail.ReadBasic.All): `body` and `bodyPreview` are left
   * out even when selected, as Graph does for that permission.
   */
  withBody: boolean;
}

/**
 * A stored message as Microsoft Graph's `message` resource.
 *
 * @example
 * reply.send(messageResource(row, { withBody: maySeeBodies(caller) }));
 */
export function messageResource(row: MessageRow, view: MessageView): Record<string, unknown> {
  const from = recipient({ address: row.from_address, name: row.from_name });
  const full: Record<MessageProperty, unknown> = {
    id: row.id,
    createdDateTime: graphDate(row.created_at),
    lastModifiedDateTime: graphDate(row.updated_at),
    receivedDateTime: graphDate(row.received_at),
    sentDateTime: graphDate(row.sent_at ?? row.received_at),
    hasAttachments: false,
    internetMessageId: row.internet_message_id,
    subject: row.subject,
    bodyPreview: row.body_preview,
    importance: "normal",
    parentFolderId: row.folder,
    isRead: row.is_read,
    isDraft: false,
    body: { contentType: row.body_content_type, content: row.body_content },
    sender: from,
    from,
    toRecipients: row.to_recipients.map(recipient),
    ccRecipients: row.cc_recipients.map(recipient),
    bccRecipients: [],
    replyTo: [],
  };
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(full)) {
    if (view.select && !view.select.includes(name as MessageProperty)) continue;
    if (!view.withBody && (name === "body" || name === "bodyPreview")) continue;
    out[name] = value;
  }
  return out;
}
