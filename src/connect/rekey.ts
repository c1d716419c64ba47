import { type Kysely, sql } from "kysely";
import type { KeyRing } from "../platform/crypto/index.ts";
import { identitySecretContext } from "./approvals/index.ts";
import { connectorSecretContext } from "./connectors/index.ts";
import { tokenContext } from "./grants/token-crypto.ts";
import type { ConnectDB } from "./tables.ts";
import { destinationSecretContext } from "./webhooks/index.ts";

const BATCH = 200;

export interface RekeyResult {
  /** Values re-encrypted under the key ring's current key. */
  reencrypted: number;
}

/**
 * Re-encrypts every value of the connect schema that is under an older key of the ring:
 * connector client secrets and Identity webhook secrets, webhook destination secrets, grant
 * tokens, and the PKCE verifiers of sign-ins in flight. Key rotation is then: start with the new
 * key as `ASSENT_SECRET_KEY` and the old one in `ASSENT_SECRET_KEY_PREVIOUS` (everything still
 * decrypts; `startConnectService` runs this once), after which the old key can be dropped.
 *
 * Each value is replaced by a conditional UPDATE on its old ciphertext, so a concurrent write
 * (a token refresh, a new secret) is never overwritten; rows are read in keyset batches.
 * Idempotent, and safe on several nodes at once.
 */
export async function rekeyConnect(db: Kysely<ConnectDB>, keyRing: KeyRing): Promise<RekeyResult> {
  let reencrypted = 0;
  const again = (value: string | null, context: string): string | undefined =>
    value && keyRing.isStale(value)
      ? keyRing.encrypt(keyRing.decrypt(value, context), context)
      : undefined;

  for (const c of await db.selectFrom("connect.connectors").selectAll().execute()) {
    const secret = again(c.client_secret_enc, connectorSecretContext(c.application_id, c.provider));
    if (secret)
      reencrypted += await replace(db, "connect.connectors", c.id, "client_secret_enc", {
        from: c.client_secret_enc as string,
        to: secret,
      });
    const hook = again(c.identity_webhook_secret_enc, identitySecretContext(c.id));
    if (hook)
      reencrypted += await replace(db, "connect.connectors", c.id, "identity_webhook_secret_enc", {
        from: c.identity_webhook_secret_enc as string,
        to: hook,
      });
  }
  for (const d of await db.selectFrom("connect.webhook_destinations").selectAll().execute()) {
    const secret = again(d.secret_enc, destinationSecretContext(d));
    if (secret)
      reencrypted += await replace(db, "connect.webhook_destinations", d.id, "secret_enc", {
        from: d.secret_enc,
        to: secret,
      });
  }
  const sessions = await db
    .selectFrom("connect.auth_sessions")
    .select(["id", "provider_verifier_enc"])
    .where("consumed_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .execute();
  for (const s of sessions) {
    const verifier = again(s.provider_verifier_enc, "connect.auth_session");
    if (verifier)
      reencrypted += await replace(db, "connect.auth_sessions", s.id, "provider_verifier_enc", {
        from: s.provider_verifier_enc as string,
        to: verifier,
      });
  }
  for (let after = ""; ; ) {
    const grants = await db
      .selectFrom("connect.grants")
      .select(["id", "application_id", "provider", "email"])
      .select(["access_token_enc", "refresh_token_enc", "id_token_enc"])
      .$if(after !== "", (q) => q.where("id", ">", after))
      .orderBy("id")
      .limit(BATCH)
      .execute();
    for (const g of grants)
      for (const column of ["access_token_enc", "refresh_token_enc", "id_token_enc"] as const) {
        const token = again(g[column], tokenContext(g));
        if (token)
          reencrypted += await replace(db, "connect.grants", g.id, column, {
            from: g[column] as string,
            to: token,
          });
      }
    if (grants.length < BATCH) break;
    after = grants.at(-1)?.id ?? "";
  }
  return { reencrypted };
}

type Table =
  | "connect.connectors"
  | "connect.webhook_destinations"
  | "connect.auth_sessions"
  | "connect.grants";

/** One conditional UPDATE: the value changes only if nobody changed it since it was read. */
async function replace(
  db: Kysely<ConnectDB>,
  table: Table,
  id: string,
  column: string,
  value: { from: string; to: string },
): Promise<number> {
  const result = await sql`
    update ${sql.table(table)} set ${sql.ref(column)} = ${value.to}
     where id = ${id} and ${sql.ref(column)} = ${value.from}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
