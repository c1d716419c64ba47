import type { Kysely, Selectable } from "kysely";
import type { EmailAddress, MailDB, MailFolder, MessagesTable } from "../tables.ts";

export type MessageRow = Selectable<MessagesTable>;

export interface NewMessage {
  tenantId: string;
  mailboxId: string;
  folder: MailFolder;
  internetMessageId: string;
  from: EmailAddress;
  toRecipients: EmailAddress[];
  ccRecipients: EmailAddress[];
  subject: string;
  body: { contentType: "text" | "html"; content: string };
  bodyPreview: string;
  sentAt: Date | null;
  receivedAt: Date;
  isRead: boolean;
}

/** Files a message; returns its id, or undefined when this folder already holds that message id. */
export async function insertMessage(
  db: Kysely<MailDB>,
  m: NewMessage,
): Promise<string | undefined> {
  const row = await db
    .insertInto("mail.messages")
    .values({
      tenant_id: m.tenantId,
      mailbox_id: m.mailboxId,
      folder: m.folder,
      internet_message_id: m.internetMessageId,
      from_address: m.from.address,
      from_name: m.from.name,
      to_recipients: JSON.stringify(m.toRecipients),
      cc_recipients: JSON.stringify(m.ccRecipients),
      subject: m.subject,
      body_content_type: m.body.contentType,
      body_content: m.body.content,
      body_preview: m.bodyPreview,
      sent_at: m.sentAt,
      received_at: m.receivedAt,
      is_read: m.isRead,
    })
    .onConflict((oc) => oc.constraint("messages_mailbox_folder_imid_key").doNothing())
    .returning("id")
    .executeTakeFirst();
  return row?.id;
}

export interface MessagePage {
  tenantId: string;
  mailboxId: string;
  folder?: MailFolder;
  order: "asc" | "desc";
  limit: number;
  offset: number;
}

/** One page of a mailbox's messages by receivedDateTime (id breaks ties, so pages never overlap). */
export async function selectMessages(db: Kysely<MailDB>, page: MessagePage): Promise<MessageRow[]> {
  let query = db
    .selectFrom("mail.messages")
    .selectAll()
    .where("tenant_id", "=", page.tenantId)
    .where("mailbox_id", "=", page.mailboxId);
  if (page.folder) query = query.where("folder", "=", page.folder);
  return query
    .orderBy("received_at", page.order)
    .orderBy("id", page.order)
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function selectMessage(
  db: Kysely<MailDB>,
  tenantId: string,
  mailboxId: string,
  messageId: string,
): Promise<MessageRow | undefined> {
  return db
    .selectFrom("mail.messages")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("mailbox_id", "=", mailboxId)
    .where("id", "=", messageId)
    .executeTakeFirst();
}

export async function updateMessageIsRead(
  db: Kysely<MailDB>,
  tenantId: string,
  mailboxId: string,
  messageId: string,
  isRead: boolean,
): Promise<MessageRow | undefined> {
  return db
    .updateTable("mail.messages")
    .set({ is_read: isRead, updated_at: new Date() })
    .where("tenant_id", "=", tenantId)
    .where("mailbox_id", "=", mailboxId)
    .where("id", "=", messageId)
    .returningAll()
    .executeTakeFirst();
}
