import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * CSRF protection for the sign-in forms: a signed double-submit token bound to the interaction.
 * A random value lives in an HttpOnly cookie scoped to the interaction's path; the form carries
 * HMAC(key, uid + cookie). A forged cross-site POST has neither the cookie's value (it cannot
 * read it) nor the key, and a token from another interaction or browser does not verify. The
 * interaction cookie alone would not do: it only says which interaction, not that the form
 * came from our page.
 */
export function newCsrfCookieValue(): string {
  return randomBytes(16).toString("base64url");
}

export function csrfToken(key: Buffer, uid: string, cookieValue: string): string {
  return createHmac("sha256", key).update(`${uid}.${cookieValue}`).digest("base64url");
}

export function csrfTokenValid(
  key: Buffer,
  uid: string,
  cookieValue: string | undefined,
  presented: unknown,
): boolean {
  if (!cookieValue || typeof presented !== "string") return false;
  const expected = Buffer.from(csrfToken(key, uid, cookieValue));
  const actual = Buffer.from(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
