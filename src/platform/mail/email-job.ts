import type { Kysely } from "kysely";
import { type EnqueuedJob, enqueue } from "../jobs/enqueue.ts";
import { PermanentJobError, RetryJobError } from "../jobs/errors.ts";
import type { JobHandler } from "../jobs/worker.ts";
import type { Mailer, OutboundEmail } from "./mailer.ts";

/** The outbox kind of an outgoing email. */
export const EMAIL_JOB_KIND = "email.send";

/** What the outbox stores for an email (the message itself, rendered at enqueue time). */
export type EmailJobPayload = Omit<OutboundEmail, "messageId" | "to"> & { to: string[] };

/**
 * Queues an email through `trx`, inside the transaction of the decision it reports, so the
 * email exists if and only if the decision committed.
 *
 * @example
 * await enqueueEmail(trx, "identity", { to: requester.email, ...renderEmail(approved) },
 *   { tenantId, dedupeKey: `consent_request:${id}:approved:${requester.id}` });
 */
export function enqueueEmail(
  trx: Kysely<any>,
  schema: string,
  message: OutboundEmail,
  options: { tenantId?: string; dedupeKey?: string; runAt?: Date; maxAttempts?: number } = {},
): Promise<EnqueuedJob> {
  const to = typeof message.to === "string" ? [message.to] : [...message.to];
  const { messageId: _ignored, ...rest } = message;
  return enqueue<EmailJobPayload>(trx, schema, {
    kind: EMAIL_JOB_KIND,
    payload: { ...rest, to },
    ...options,
  });
}

function domainOf(from: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? "assent.invalid";
}

interface SmtpError {
  code?: string;
  command?: string;
  responseCode?: number;
}

/**
 * True when retrying cannot help: every recipient was refused with a permanent (5xx) reply, or
 * the address is malformed. Anything else — connection refused, timeouts, 4xx, authentication,
 * a refused sender — may heal (or be fixed by the operator), so it is retried.
 */
function isPermanent(error: unknown): boolean {
  const e = (typeof error === "object" && error !== null ? error : {}) as SmtpError;
  if (e.code !== "EENVELOPE") return false;
  if (e.command === "API") return true;
  return e.command === "RCPT TO" && (e.responseCode ?? 0) >= 500;
}

/**
 * The outbox handler for EMAIL_JOB_KIND. With no SMTP configured it throws a RetryJobError that
 * does not count as an attempt, so messages wait (re-checked every `notConfiguredRetryMs`,
 * default 1 minute) instead of running out of attempts; the portal says
 * MAIL_NOT_CONFIGURED_MESSAGE meanwhile. The Message-ID is derived from the job id, so a message
 * re-sent after a crash carries the same id and mail clients show it once.
 */
export function createEmailJobHandler(
  mailer: Mailer,
  options: { notConfiguredRetryMs?: number } = {},
): JobHandler<EmailJobPayload> {
  const retryMs = options.notConfiguredRetryMs ?? 60_000;
  const domain = domainOf(mailer.from);
  return async (payload, ctx) => {
    if (!mailer.isConfigured()) {
      throw new RetryJobError("SMTP is not configured: the message waits in the outbox", {
        delayMs: retryMs,
        countAttempt: false,
      });
    }
    try {
      const sent = await mailer.send({ ...payload, messageId: `<${ctx.jobId}@${domain}>` });
      ctx.logger.info({ messageId: sent.messageId }, "email delivered to the SMTP server");
    } catch (error) {
      if (isPermanent(error)) {
        throw new PermanentJobError(
          `the mail server refused the recipients: ${(error as Error).message}`,
        );
      }
      throw error;
    }
  };
}
