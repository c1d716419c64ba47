import { createHmac, timingSafeEqual } from "node:crypto";

// "Pick an account" lists at most this many accounts used in this browser, newest first.
const MAX_ACCOUNTS = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function mac(key: Buffer, ids: string): string {
  return createHmac("sha256", key).update(ids).digest("base64url").slice(0, 32);
}

/**
 * The ids of the accounts that signed in to this tenant in this browser, from a signed cookie
 * (`id,id,...|mac`): the list is not secret, but must not be forged to probe for accounts.
 */
export function readRememberedAccounts(key: Buffer, cookie: string | undefined): string[] {
  if (!cookie) return [];
  const [ids, signature] = cookie.split("|");
  if (!ids || !signature) return [];
  const expected = Buffer.from(mac(key, ids));
  const actual = Buffer.from(signature);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return [];
  return ids.split(",").filter((id) => UUID.test(id));
}

/** The cookie value after `userId` signed in: it moves to the front of the list. */
export function rememberAccount(key: Buffer, current: string[], userId: string): string {
  const ids = [userId, ...current.filter((id) => id !== userId)].slice(0, MAX_ACCOUNTS).join(",");
  return `${ids}|${mac(key, ids)}`;
}
