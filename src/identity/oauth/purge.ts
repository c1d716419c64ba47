import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import { THROTTLE } from "./interaction/throttle.ts";
import { deleteStaleCounters } from "./interaction/throttle-queries.ts";
import { deleteExpired } from "./store-queries.ts";

// Deleted per statement: keeps each delete short so it never holds locks for long.
const BATCH = 1000;

/**
 * Deletes expired oidc-provider artifacts (codes, tokens, sessions, interactions, grants),
 * batch by batch, and sign-in failure counters past their window, for the jobs module to run
 * periodically; lookups already ignore expired rows, so this only reclaims space. Returns how
 * many artifacts went.
 *
 * @example
 * const purged = await purgeExpiredArtifacts(db);
 */
export async function purgeExpiredArtifacts(
  db: Kysely<IdentityDB>,
  options: { maxBatches?: number } = {},
): Promise<number> {
  await deleteStaleCounters(db, THROTTLE.ip.windowSeconds);
  let total = 0;
  for (let i = 0; i < (options.maxBatches ?? 100); i++) {
    const deleted = await deleteExpired(db, BATCH);
    total += deleted;
    if (deleted < BATCH) break;
  }
  return total;
}
