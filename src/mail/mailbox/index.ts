/**
 * The mailbox store: hosted domains (each for one tenant), mailboxes, and the messages filed
 * in them. Everything that reads filters on the tenant; delivery crosses tenants only as mail
 * does, into the recipient's own tenant.
 */
export { domainOf, normaliseAddress, normaliseDomain } from "./addresses.ts";
export { bodyPreview, bodyText, htmlToText } from "./body-text.ts";
export {
  type DeliveryResult,
  deliver,
  deliverWithin,
  envelopeRecipients,
  type InboundAddress,
  type InboundMessage,
  unhostedRecipients,
} from "./delivery.ts";
export { type HostedDomain, selectHostedDomain } from "./domain-queries.ts";
export { addHostedDomain } from "./hosted-domains.ts";
export { type Mailbox, selectAllMailboxes, selectMailboxByAddress } from "./mailbox-queries.ts";
export { findTenantMailbox, type MailboxUser, resolveOwnMailbox } from "./mailboxes.ts";
export {
  insertMessage,
  type MessageRow,
  selectMessage,
  selectMessages,
  updateMessageIsRead,
} from "./message-queries.ts";
export { type OutgoingMessage, sendMail } from "./send-mail.ts";
