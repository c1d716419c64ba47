import { randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { hashSecret } from "../../platform/crypto/index.ts";
import type { ConnectDB } from "../tables.ts";

// 10 minutes, RFC 6749 §4.1.2's recommended maximum lifetime of an authorization code.
const CODE_TTL_MS = 10 * 60 * 1000;

/** Issues Connect's own authorization code for a grant; returns the code (stored hashed). */
export async function issueAuthCode(
  db: Kysely<ConnectDB>,
  c: {
    applicationId: string;
    grantId: string;
    redirectUri: string;
    codeChallenge: string | null;
    codeChallengeMethod: string | null;
  },
): Promise<string> {
  const code = randomBytes(32).toString("base64url");
  await db
    .insertInto("connect.auth_codes")
    .values({
      code_hash: hashSecret(code),
      application_id: c.applicationId,
      grant_id: c.grantId,
      redirect_uri: c.redirectUri,
      code_challenge: c.codeChallenge,
      code_challenge_method: c.codeChallengeMethod,
      expires_at: new Date(Date.now() + CODE_TTL_MS),
    })
    .execute();
  return code;
}

/** Redeems a code once (one conditional UPDATE): a replayed or expired code returns undefined. */
export async function redeemAuthCode(db: Kysely<ConnectDB>, applicationId: string, code: string) {
  if (code.length > 100) return undefined;
  return db
    .updateTable("connect.auth_codes")
    .set({ consumed_at: sql`now()` })
    .where("code_hash", "=", hashSecret(code))
    .where("application_id", "=", applicationId)
    .where("consumed_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .returning(["grant_id", "redirect_uri", "code_challenge", "code_challenge_method"])
    .executeTakeFirst();
}
