import type { Kysely } from "kysely";
import type { JobHandler } from "../../platform/jobs/index.ts";
import type { IdentityDB } from "../db.ts";
import { expireRequest } from "./expire.ts";
import type { LinkContext } from "./links.ts";
import { notifyReviewers } from "./notify.ts";
import { loadRequestPolicy } from "./policy.ts";
import { snapshotOf } from "./snapshot.ts";
import { claimDueReminders, claimExpired } from "./sweep-queries.ts";

/**
 * The workflow's clock: expires pending requests past their lifetime (and tells requesters and
 * reviewers), and sends reviewers one reminder at each request's midpoint. Idempotent and safe
 * on several nodes: rows are claimed with FOR UPDATE SKIP LOCKED and changed by conditional
 * UPDATEs, so a request expires once and is reminded of once, whoever runs the sweep.
 */

/** The outbox kind of the recurring sweep. */
export const CONSENT_REQUEST_SWEEP_JOB_KIND = "consent_request.sweep";

const BATCH = 50;

async function expireBatch(db: Kysely<IdentityDB>, links: LinkContext, now: Date) {
  return db.transaction().execute(async (trx) => {
    const claimed = await claimExpired(trx, now, BATCH);
    let expired = 0;
    for (const { id, tenantId } of claimed)
      if (await expireRequest(trx, tenantId, id, now, links)) expired++;
    return { claimed: claimed.length, expired };
  });
}

async function remindBatch(db: Kysely<IdentityDB>, links: LinkContext, now: Date) {
  return db.transaction().execute(async (trx) => {
    const due = await claimDueReminders(trx, now, BATCH);
    let reminded = 0;
    for (const row of due) {
      // Reminders off at the midpoint: this request's reminder is skipped, not postponed.
      const policy = await loadRequestPolicy(trx, row.tenantId);
      if (!policy.remindersEnabled) continue;
      await notifyReviewers(trx, links, await snapshotOf(trx, row), "reminder");
      reminded++;
    }
    return { claimed: due.length, reminded };
  });
}

/** One sweep at `now`: every expired request expired, every due reminder sent. */
export async function sweepConsentRequests(
  db: Kysely<IdentityDB>,
  options: { links: LinkContext; now?: Date },
): Promise<{ expired: number; reminded: number }> {
  const now = options.now ?? new Date();
  let expired = 0;
  let reminded = 0;
  for (;;) {
    const batch = await expireBatch(db, options.links, now);
    expired += batch.expired;
    if (batch.claimed < BATCH) break;
  }
  for (;;) {
    const batch = await remindBatch(db, options.links, now);
    reminded += batch.reminded;
    if (batch.claimed < BATCH) break;
  }
  return { expired, reminded };
}

/** The handler of CONSENT_REQUEST_SWEEP_JOB_KIND; `now` is injectable (tests shorten time). */
export function createSweepHandler(
  db: Kysely<IdentityDB>,
  links: LinkContext,
  now: () => Date = () => new Date(),
): JobHandler {
  return async (_payload, ctx) => {
    const result = await sweepConsentRequests(db, { links, now: now() });
    if (result.expired + result.reminded > 0) ctx.logger.info(result, "consent requests swept");
  };
}
