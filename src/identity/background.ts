import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { createWorker, type JobHandler, type Worker } from "../platform/jobs/index.ts";
import {
  createEmailJobHandler,
  createMailer,
  EMAIL_JOB_KIND,
  type Mailer,
} from "../platform/mail/index.ts";
import { purgeActivity } from "./activity/index.ts";
import type { IdentityDB } from "./db.ts";
import { purgeExpiredArtifacts } from "./oauth/index.ts";

// Hourly: expired codes, sessions and tokens only cost space, and the purge is batched.
const OIDC_PURGE_EVERY_MS = 60 * 60 * 1000;
// Daily: retention is counted in days; the run also creates next months' sign-in partitions.
const ACTIVITY_PURGE_EVERY_MS = 24 * 60 * 60 * 1000;

export interface IdentityBackground {
  worker: Worker;
  mailer: Mailer;
  stop(): Promise<void>;
}

/**
 * Identity's background work, on the durable outbox (`identity.outbox`): outgoing email and the
 * periodic purges. Every node runs one; each job and each periodic slot runs once across nodes.
 */
export function startIdentityBackground(options: {
  db: Kysely<IdentityDB>;
  logger: Logger;
  smtp: { url: string; from: string } | undefined;
}): IdentityBackground {
  const mailer = createMailer({
    smtpUrl: options.smtp?.url,
    from: options.smtp?.from ?? "",
    logger: options.logger,
  });
  const handlers: Record<string, JobHandler<any>> = {
    [EMAIL_JOB_KIND]: createEmailJobHandler(mailer),
    "oidc.purge": async () => {
      await purgeExpiredArtifacts(options.db);
    },
    "activity.purge": async () => {
      await purgeActivity(options.db, new Date());
    },
  };
  const worker = createWorker({
    db: options.db,
    schema: "identity",
    handlers,
    logger: options.logger,
  });
  worker.every("oidc.purge", OIDC_PURGE_EVERY_MS);
  worker.every("activity.purge", ACTIVITY_PURGE_EVERY_MS);
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
