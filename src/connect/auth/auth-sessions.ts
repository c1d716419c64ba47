import { randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { hashSecret } from "../../platform/crypto/index.ts";
import type { AuthSessionsTable, ConnectDB, ProviderName } from "../tables.ts";

// 15 minutes: long enough to sign in (and read a consent screen), short enough that a state
// lying around in browser history is useless.
const SESSION_TTL_MS = 15 * 60 * 1000;

export interface NewAuthSession {
  applicationId: string;
  provider: ProviderName;
  responseType: "code" | "adminconsent";
  redirectUri: string;
  appState: string | undefined;
  scope: string[];
  loginHint: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
  providerVerifierEnc: string | undefined;
  nonce: string | undefined;
  pendingApprovalId?: string | undefined;
}

export type AuthSession = {
  [K in keyof AuthSessionsTable]: AuthSessionsTable[K] extends { __select__: infer S }
    ? S
    : AuthSessionsTable[K];
};

/**
 * Starts a hosted-auth attempt. The `state` sent to the provider is 256 random bits, opaque to
 * everyone; only its hash is stored, so a state can neither be forged nor altered into another
 * attempt's.
 *
 * @returns the state to send to the provider.
 */
export async function createAuthSession(db: Kysely<ConnectDB>, s: NewAuthSession): Promise<string> {
  const state = randomBytes(32).toString("base64url");
  await db
    .insertInto("connect.auth_sessions")
    .values({
      application_id: s.applicationId,
      provider: s.provider,
      response_type: s.responseType,
      state_hash: hashSecret(state),
      redirect_uri: s.redirectUri,
      app_state: s.appState ?? null,
      scope: JSON.stringify(s.scope),
      login_hint: s.loginHint ?? null,
      code_challenge: s.codeChallenge ?? null,
      code_challenge_method: s.codeChallengeMethod ?? null,
      provider_verifier_enc: s.providerVerifierEnc ?? null,
      nonce: s.nonce ?? null,
      pending_approval_id: s.pendingApprovalId ?? null,
      expires_at: new Date(Date.now() + SESSION_TTL_MS),
    })
    .execute();
  return state;
}

export type ConsumeResult =
  | { ok: true; session: AuthSession }
  | { ok: false; reason: "unknown" | "used" | "expired" };

/**
 * Consumes the attempt a callback's state names, once: one conditional UPDATE, so a replayed
 * callback (or two racing) finds it already used.
 */
export async function consumeAuthSession(
  db: Kysely<ConnectDB>,
  state: string,
): Promise<ConsumeResult> {
  if (state.length > 100) return { ok: false, reason: "unknown" };
  const hash = hashSecret(state);
  const session = await db
    .updateTable("connect.auth_sessions")
    .set({ consumed_at: sql`now()` })
    .where("state_hash", "=", hash)
    .where("consumed_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .returningAll()
    .executeTakeFirst();
  if (session) return { ok: true, session };
  const seen = await db
    .selectFrom("connect.auth_sessions")
    .select(["consumed_at"])
    .where("state_hash", "=", hash)
    .executeTakeFirst();
  if (!seen) return { ok: false, reason: "unknown" };
  return { ok: false, reason: seen.consumed_at ? "used" : "expired" };
}
