import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import { type ReviewerUser, selectReviewerUsers } from "./reviewer-queries.ts";
import type { StoredReviewer } from "./tables.ts";

/**
 * Reviewers are resolved LIVE, whenever a request is listed, shown, decided or notified: a new
 * reviewer sees and may decide older requests, a removed one stops seeing them and stops getting
 * email (Entra binds reviewers to requests at creation, which orphans requests when people
 * leave). When the configured reviewers resolve to nobody — every one of them left, or none were
 * set — the tenant's Global Administrators act as reviewers, so no request is ever orphaned.
 */

const FALLBACK: readonly StoredReviewer[] = [{ type: "role", id: "global_administrator" }];

/** The configured reviewers, or the fallback when they resolve to no enabled user now. */
async function effectiveReviewers(
  db: Kysely<IdentityDB>,
  tenantId: string,
  reviewers: readonly StoredReviewer[],
): Promise<readonly StoredReviewer[]> {
  const anyone = await selectReviewerUsers(db, tenantId, reviewers, { limit: 1 });
  return anyone.length > 0 ? reviewers : FALLBACK;
}

/**
 * True when the configured reviewers resolve to no enabled user now, so that the Global
 * Administrators review (for one user, after `selectViewerStatus` found them not listed).
 */
export async function fallsBackToGlobalAdministrators(
  db: Kysely<IdentityDB>,
  tenantId: string,
  reviewers: readonly StoredReviewer[],
): Promise<boolean> {
  return (await effectiveReviewers(db, tenantId, reviewers)) !== reviewers;
}

/** Every reviewer now (enabled users), for notifications. */
export async function resolveReviewers(
  db: Kysely<IdentityDB>,
  tenantId: string,
  reviewers: readonly StoredReviewer[],
): Promise<ReviewerUser[]> {
  return selectReviewerUsers(db, tenantId, await effectiveReviewers(db, tenantId, reviewers));
}

export type { ReviewerUser };
