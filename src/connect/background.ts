import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { KeyRing } from "../platform/crypto/index.ts";
import { createWorker, type JobHandler, type Worker } from "../platform/jobs/index.ts";
import {
  createEmailJobHandler,
  createMailer,
  EMAIL_JOB_KIND,
  type Mailer,
} from "../platform/mail/index.ts";
import { createWebhookDeliveryHandler, WEBHOOK_JOB_KIND } from "../platform/webhooks/index.ts";
import type { ConnectDB } from "./tables.ts";
import { resolveDestination } from "./webhooks/index.ts";

export interface ConnectBackground {
  worker: Worker;
  mailer: Mailer;
  stop(): Promise<void>;
}

/**
 * Connect's background work on its outbox (`connect.outbox`): webhooks to applications (signed,
 * retried with backoff, one delivery-log row per attempt) and email to users. Every node runs
 * one; each job runs once across nodes.
 */
export function startConnectBackground(options: {
  db: Kysely<ConnectDB>;
  keyRing: KeyRing;
  logger: Logger;
  smtp: { url: string; from: string } | undefined;
  /** Loopback receivers are allowed outside production. */
  allowLoopback: boolean;
  pollMs?: number;
}): ConnectBackground {
  const { db, keyRing } = options;
  const mailer = createMailer({
    smtpUrl: options.smtp?.url,
    from: options.smtp?.from ?? "",
    logger: options.logger,
  });
  const handlers: Record<string, JobHandler<any>> = {
    [EMAIL_JOB_KIND]: createEmailJobHandler(mailer),
    [WEBHOOK_JOB_KIND]: createWebhookDeliveryHandler({
      db,
      schema: "connect",
      allowLoopback: options.allowLoopback,
      userAgent: "Assent-Connect-Webhooks/1.0",
      resolveEndpoint: (id, applicationId) => resolveDestination(db, keyRing, id, applicationId),
      onGone: async (id, applicationId) => {
        if (!applicationId) return;
        await db
          .updateTable("connect.webhook_destinations")
          .set({ status: "failed", updated_at: new Date() })
          .where("id", "=", id)
          .where("application_id", "=", applicationId)
          .execute();
      },
    }),
  };
  const worker = createWorker({
    db,
    schema: "connect",
    handlers,
    logger: options.logger,
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
  });
  worker.start();
  return {
    worker,
    mailer,
    async stop() {
      await worker.stop();
      await mailer.close();
    },
  };
}
