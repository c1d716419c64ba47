/**
 * Outbound email over SMTP (nodemailer), delivered through the outbox: callers render a message
 * with `renderEmail` (every value escaped) and `enqueueEmail` it inside their transaction; the
 * worker's `email.send` handler sends it, retrying while SMTP is down.
 *
 * With no SMTP_URL configured, `mailer.isConfigured()` is false, messages wait in the outbox
 * (they do not run out of attempts), and the portal shows MAIL_NOT_CONFIGURED_MESSAGE
 * ("Email is not configured …") with the count from `outboxStats(db, schema, { kind: EMAIL_JOB_KIND })`.
 */
export {
  createEmailJobHandler,
  EMAIL_JOB_KIND,
  type EmailJobPayload,
  enqueueEmail,
} from "./email-job.ts";
export {
  createMailer,
  MAIL_NOT_CONFIGURED_MESSAGE,
  type Mailer,
  type MailerOptions,
  MailNotConfiguredError,
  type OutboundEmail,
  type SentEmail,
} from "./mailer.ts";
export {
  cleanText,
  type EmailBlock,
  type EmailContent,
  escapeHtml,
  type Inline,
  type RenderedEmail,
  renderEmail,
  safeUrl,
  singleLine,
} from "./render.ts";
