import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { KeyRing } from "../platform/crypto/index.ts";
import {
  type BackoffPolicy,
  createWorker,
  type JobHandler,
  type Worker,
} from "../platform/jobs/index.ts";
import {
  createEmailJobHandler,
  createMailer,
  EMAIL_JOB_KIND,
  type Mailer,
} from "../platform/mail/index.ts";
import { createWebhookDeliveryHandler, WEBHOOK_JOB_KIND } from "../platform/webhooks/index.ts";
import { purgeActivity } from "./activity/index.ts";
import {
  CONSENT_REQUEST_SWEEP_JOB_KIND,
  createNotifyHandler,
  createSweepHandler,
  NOTIFY_JOB_KIND,
  webhookEndpointResolver,
} from "./consent-requests/index.ts";
import type { IdentityDB } from "./db.ts";
import { purgeExpiredArtifacts } from "./oauth/index.ts";

// Hourly: expired codes, sessions and tokens only cost space, and the purge is batched.
const OIDC_PURGE_EVERY_MS = 60 * 60 * 1000;
// Daily: retention is counted in days; the run also creates next months' sign-in partitions.
const ACTIVITY_PURGE_EVERY_MS = 24 * 60 * 60 * 1000;
// Every minute: request lifetimes are counted in days, so expiry is at most a minute late.
const CONSENT_REQUEST_SWEEP_EVERY_MS = 60 * 1000;

export interface IdentityBackground {
  worker: Worker;
  mailer: Mailer;
  stop(): Promise<void>;
}

/** What the admin consent workflow's jobs need: links, webhook secrets, and the clock. */
export interface ConsentRequestJobsOptions {
  /** The Identity service's public URL: review and status links in emails. */
  publicUrl: string;
  /** Decrypts webhook endpoint secrets. */
  keyRing: KeyRing;
  /** Outside production true: webhooks may go to loopback receivers. */
  allowLoopbackWebhooks: boolean;
  /** The sweep's clock (tests shorten time); default the wall clock. */
  now?: () => Date;
  /** How often expiry and reminders run (default every minute). */
  sweepEveryMs?: number;
}

/**
 * Identity's background work, on the durable outbox (`identity.outbox`): outgoing email,
 * signed webhooks, the admin consent workflow's notifications, expiry and reminders, and the
 * periodic purges. Every node runs one; each job and each periodic slot runs once across nodes.
 *
 * Without `consentRequests` the workflow's jobs are not handled here (they wait in the outbox
 * for a node that handles them); `src/server/run.ts` passes it.
 */
export function startIdentityBackground(options: {
  db: Kysely<IdentityDB>;
  logger: Logger;
  smtp: { url: string; from: string } | undefined;
  consentRequests?: ConsentRequestJobsOptions | undefined;
  /** Worker tuning (tests): poll interval and retry backoff. */
  pollMs?: number;
  backoff?: BackoffPolicy;
  /** Does not start polling (tests drive `worker.runOnce()`). */
  manual?: boolean;
}): IdentityBackground {
  const { db } = options;
  const mailer = createMailer({
    smtpUrl: options.smtp?.url,
    from: options.smtp?.from ?? "",
    logger: options.logger,
  });
  const handlers: Record<string, JobHandler<any>> = {
    [EMAIL_JOB_KIND]: createEmailJobHandler(mailer),
    "oidc.purge": async () => {
      await purgeExpiredArtifacts(db);
    },
    "activity.purge": async () => {
      await purgeActivity(db, new Date());
    },
  };
  const workflow = options.consentRequests;
  if (workflow) {
    const links = { publicUrl: workflow.publicUrl };
    const endpoints = webhookEndpointResolver(db, workflow.keyRing);
    handlers[WEBHOOK_JOB_KIND] = createWebhookDeliveryHandler({
      db,
      schema: "identity",
      allowLoopback: workflow.allowLoopbackWebhooks,
      resolveEndpoint: endpoints.resolveEndpoint,
      onGone: endpoints.onGone,
    });
    handlers[NOTIFY_JOB_KIND] = createNotifyHandler(db, links);
    handlers[CONSENT_REQUEST_SWEEP_JOB_KIND] = createSweepHandler(db, links, workflow.now);
  } else {
    options.logger.warn(
      "the admin consent workflow's jobs are not configured on this node: its notifications, webhooks and expiry wait for a node that runs them",
    );
  }
  const worker = createWorker({
    db,
    schema: "identity",
    handlers,
    logger: options.logger,
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...(workflow?.now ? { clock: () => workflow.now!().getTime() } : {}),
  });
  worker.every("oidc.purge", OIDC_PURGE_EVERY_MS);
  worker.every("activity.purge", ACTIVITY_PURGE_EVERY_MS);
  if (workflow)
    worker.every(
      CONSENT_REQUEST_SWEEP_JOB_KIND,
      workflow.sweepEveryMs ?? CONSENT_REQUEST_SWEEP_EVERY_MS,
    );
  if (!options.manual) worker.start();
  return {
    worker,
    mailer,
    async stop() {
      await worker.stop();
      await mailer.close();
    },
  };
}
