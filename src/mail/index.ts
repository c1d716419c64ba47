/**
 * Assent Mail: a protected resource shaped like Microsoft Graph's mail API, so that consented
 * scopes have a real effect, and a loopback SMTP intake so notification mail lands in real
 * mailboxes. It never imports Identity: it trusts Identity only through the access tokens it
 * validates against each tenant issuer's JWKS, and receives its mail over SMTP.
 *
 * - `createMailApp(deps)`: the HTTP app (Graph API under /v1.0, loopback mailbox page).
 * - `startSmtpIntake(deps)`: the SMTP intake on 127.0.0.1.
 * - `startMailService(config, logger, database)`: both, listening (`assent serve mail`).
 * - `addHostedDomain(db, domain, tenantId)`, `deliver(db, message)`: mail-domain administration
 *   and direct delivery (seeding).
 */
export { createMailApp, type MailDeps, mailDb, startSmtpIntake } from "./app.ts";
export { type AccessTokenVerifier, createAccessTokenVerifier } from "./auth/access-token.ts";
export type { Caller } from "./auth/caller.ts";
export { MAIL_AUDIENCES } from "./auth/mail-resource.ts";
export { TokenRejected } from "./auth/token-rejection.ts";
export {
  addHostedDomain,
  type DeliveryResult,
  deliver,
  type HostedDomain,
  type InboundAddress,
  type InboundMessage,
} from "./mailbox/index.ts";
export { type RunningMailService, startMailService } from "./service.ts";
export type { SmtpIntake } from "./smtp/smtp-intake.ts";
export type { MailDB } from "./tables.ts";
