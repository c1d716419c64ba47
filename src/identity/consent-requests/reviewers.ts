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

/** Every reviewer now (enabled users), for notifications. */
export async function resolveReviewers(
  db: Kysely<IdentityDB>,
  tenantId: string,
  reviewers: readonly StoredReviewer[],
): Promise<ReviewerUser[]> {
  return selectReviewerUsers(db, tenantId, await effectiveReviewers(db, tenantId, reviewers));
}

/** True when the user is a reviewer now. */
export async function isReviewer(
  db: Kysely<IdentityDB>,
  tenantId: string,
  userId: string,
  reviewers: readonly StoredReviewer[],
): Promise<boolean> {
  const direct = await selectReviewerUsers(db, tenantId, reviewers, { onlyUserId: userId });
  if (direct.length > 0) return true;
  const effective = await effectiveReviewers(db, tenantId, reviewers);
  if (effective === reviewers) return false;
  return (await selectReviewerUsers(db, tenantId, effective, { onlyUserId: userId })).length > 0;
}

export type { ReviewerUser };
