/** A recipient as Graph writes one. */
interface GraphRecipient {
  emailAddress?: { name?: string | null; address?: string };
}

/** The fields of a Graph message the passthrough reads. */
export interface GraphMessage {
  id: string;
  subject?: string | null;
  bodyPreview?: string;
  body?: { contentType?: string; content?: string };
  from?: GraphRecipient;
  toRecipients?: GraphRecipient[];
  ccRecipients?: GraphRecipient[];
  receivedDateTime?: string;
  sentDateTime?: string | null;
  isRead?: boolean;
  parentFolderId?: string;
  conversationId?: string;
}

const people = (list: GraphRecipient[] | undefined) =>
  (list ?? [])
    .filter((r) => r.emailAddress?.address)
    .map((r) => ({ name: r.emailAddress?.name ?? "", email: r.emailAddress?.address ?? "" }));

/**
 * A provider's message in Nylas v3's message shape, whichever provider it came from, so an app
 * reads one shape (`object: "message"`, Unix `date`, `from`/`to` as `{name, email}`).
 */
export function nylasMessage(grantId: string, m: GraphMessage) {
  const date = m.receivedDateTime ?? m.sentDateTime;
  return {
    object: "message",
    id: m.id,
    grant_id: grantId,
    thread_id: m.conversationId,
    subject: m.subject ?? "",
    from: people(m.from ? [m.from] : []),
    to: people(m.toRecipients),
    cc: people(m.ccRecipients),
    date: date ? Math.floor(Date.parse(date) / 1000) : undefined,
    unread: m.isRead === undefined ? undefined : !m.isRead,
    snippet: m.bodyPreview,
    body: m.body?.content,
    folders: m.parentFolderId ? [m.parentFolderId] : undefined,
  };
}
