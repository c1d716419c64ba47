import type { ColumnType, Generated } from "kysely";

/**
 * The mail schema as Kysely sees it (migrations/mail). Mail never imports Identity, so the
 * column helpers are declared here rather than shared.
 */

/** A timestamptz column: read as Date, written as Date or ISO string, defaulted when omitted. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A jsonb column: read parsed, written as a JSON string (both dialects then agree). */
type Json<T> = ColumnType<T, string | undefined, string>;

/** A recipient as Graph writes one. */
export interface EmailAddress {
  name: string | null;
  address: string;
}

export interface HostedDomainsTable {
  domain: string;
  tenant_id: string;
  created_at: Timestamp;
}

export interface MailboxesTable {
  id: Generated<string>;
  tenant_id: string;
  address: string;
  domain: string;
  user_object_id: string | null;
  display_name: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type MailFolder = "inbox" | "sentitems";

export interface MessagesTable {
  id: Generated<string>;
  tenant_id: string;
  mailbox_id: string;
  folder: ColumnType<MailFolder, MailFolder | undefined, MailFolder>;
  internet_message_id: string;
  from_address: string;
  from_name: string | null;
  to_recipients: Json<EmailAddress[]>;
  cc_recipients: Json<EmailAddress[]>;
  subject: ColumnType<string, string | undefined, string>;
  body_content_type: "text" | "html";
  body_content: string;
  body_preview: ColumnType<string, string | undefined, string>;
  sent_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  received_at: Timestamp;
  is_read: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MailDB {
  "mail.hosted_domains": HostedDomainsTable;
  "mail.mailboxes": MailboxesTable;
  "mail.messages": MessagesTable;
}
