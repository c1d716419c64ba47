import type { Kysely } from "kysely";
import type { IdentityDB } from "../../db.ts";
import { deleteSubject, selectBlockedSubjects, upsertFailure } from "./throttle-queries.ts";

/**
 * Password-guessing throttle, kept in the database so every node sees the same counts.
 * Account from one address: 10 failures within 15 minutes block that user name FROM THAT
 * ADDRESS for 5 minutes (Entra's smart lockout starts at 10 failures with a one-minute lock; a
 * longer lock slows guessing more). Keying this lock on the address too is what keeps it from
 * being a denial of service: an attacker typing a victim's name from one address locks only
 * himself out, and the victim signing in from anywhere else is not affected.
 * Account from anywhere: 50 failures within 15 minutes block the user name everywhere for 5
 * minutes, which slows guessing spread over many addresses. One address cannot reach it alone:
 * its own lock lets it fail at most 10 times per 5 minutes (30 per window).
 * Network address: 100 failures within 15 minutes block the address for 15 minutes, which
 * catches one client spraying many accounts. Blocks always expire: a victim whose name an
 * attacker types is inconvenienced for minutes, never locked out for good.
 */
export const THROTTLE = {
  accountFromAddress: { limit: 10, windowSeconds: 15 * 60, blockSeconds: 5 * 60 },
  account: { limit: 50, windowSeconds: 15 * 60, blockSeconds: 5 * 60 },
  ip: { limit: 100, windowSeconds: 15 * 60, blockSeconds: 15 * 60 },
} as const;

export interface SignInSubjects {
  /** The user name tried from this address. */
  accountFromAddress: string;
  /** The user name, whatever the address. */
  account: string;
  ip: string;
}

export function subjectsOf(userPrincipalName: string, ip: string): SignInSubjects {
  const name = userPrincipalName.trim().toLowerCase();
  return {
    accountFromAddress: `account-ip:${name}|${ip}`,
    account: `account:${name}`,
    ip: `ip:${ip}`,
  };
}

/** When the sign-in may not even be tried, the moment it may be tried again. */
export async function blockedUntil(
  db: Kysely<IdentityDB>,
  tenantId: string,
  subjects: SignInSubjects,
): Promise<Date | undefined> {
  const blocked = await selectBlockedSubjects(db, tenantId, [
    subjects.accountFromAddress,
    subjects.account,
    subjects.ip,
  ]);
  const times = blocked.map((b) => b.blockedUntil.getTime());
  return times.length > 0 ? new Date(Math.max(...times)) : undefined;
}

/** Counts a failed sign-in against the account (from this address, and overall) and the address. */
export async function recordFailure(
  db: Kysely<IdentityDB>,
  tenantId: string,
  subjects: SignInSubjects,
): Promise<void> {
  await upsertFailure(db, tenantId, subjects.accountFromAddress, THROTTLE.accountFromAddress);
  await upsertFailure(db, tenantId, subjects.account, THROTTLE.account);
  await upsertFailure(db, tenantId, subjects.ip, THROTTLE.ip);
}

/** A successful sign-in clears the account's counts (the address keeps its own). */
export async function recordSuccess(
  db: Kysely<IdentityDB>,
  tenantId: string,
  subjects: SignInSubjects,
): Promise<void> {
  await deleteSubject(db, tenantId, subjects.accountFromAddress);
  await deleteSubject(db, tenantId, subjects.account);
}
