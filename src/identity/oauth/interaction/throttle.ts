import type { Kysely } from "kysely";
import type { IdentityDB } from "../../db.ts";
import { deleteSubject, selectBlockedSubjects, upsertFailure } from "./throttle-queries.ts";

/**
 * Password-guessing throttle, kept in the database so every node sees the same counts.
 * Account: 10 failures within 15 minutes block that user name for 5 minutes (Entra's smart
 * lockout starts at 10 failures with a one-minute lock; a longer lock slows guessing more).
 * Network address: 100 failures within 15 minutes block the address for 15 minutes, which
 * catches one client spraying many accounts. Blocks always expire: a victim whose name an
 * attacker types is inconvenienced for minutes, never locked out for good.
 */
export const THROTTLE = {
  account: { limit: 10, windowSeconds: 15 * 60, blockSeconds: 5 * 60 },
  ip: { limit: 100, windowSeconds: 15 * 60, blockSeconds: 15 * 60 },
} as const;

export interface SignInSubjects {
  account: string;
  ip: string;
}

export function subjectsOf(userPrincipalName: string, ip: string): SignInSubjects {
  return { account: `account:${userPrincipalName.trim().toLowerCase()}`, ip: `ip:${ip}` };
}

/** When the sign-in may not even be tried, the moment it may be tried again. */
export async function blockedUntil(
  db: Kysely<IdentityDB>,
  tenantId: string,
  subjects: SignInSubjects,
): Promise<Date | undefined> {
  const blocked = await selectBlockedSubjects(db, tenantId, [subjects.account, subjects.ip]);
  const times = blocked.map((b) => b.blockedUntil.getTime());
  return times.length > 0 ? new Date(Math.max(...times)) : undefined;
}

/** Counts a failed sign-in against the account and the address. */
export async function recordFailure(
  db: Kysely<IdentityDB>,
  tenantId: string,
  subjects: SignInSubjects,
): Promise<void> {
  await upsertFailure(db, tenantId, subjects.account, THROTTLE.account);
  await upsertFailure(db, tenantId, subjects.ip, THROTTLE.ip);
}

/** A successful sign-in clears the account's count (the address keeps its own). */
export async function recordSuccess(
  db: Kysely<IdentityDB>,
  tenantId: string,
  subjects: SignInSubjects,
): Promise<void> {
  await deleteSubject(db, tenantId, subjects.account);
}
