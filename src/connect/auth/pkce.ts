import { createHash, timingSafeEqual } from "node:crypto";

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks an application's code_verifier against the challenge it sent to /v3/connect/auth.
 * S256 is RFC 7636's `base64url(sha256(verifier))`; the Nylas SDK's `urlForOAuth2PKCE` sends
 * `s256` with `base64(hex(sha256(verifier)))` unpadded, which is accepted too so SDK users keep
 * their code. `plain` compares the verifier itself.
 */
export function verifyPkce(verifier: string, challenge: string, method: string | null): boolean {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) && !/^[0-9a-f-]{36}$/.test(verifier))
    return false;
  if ((method ?? "plain").toLowerCase() === "plain") return same(verifier, challenge);
  const digest = createHash("sha256").update(verifier).digest();
  const rfc = digest.toString("base64url");
  const nylas = Buffer.from(digest.toString("hex")).toString("base64").replace(/=+$/, "");
  return same(rfc, challenge) || same(nylas, challenge);
}
