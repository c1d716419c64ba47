import * as oidc from "openid-client";
import { requireConnector } from "../connectors/index.ts";
import type { ConnectContext } from "../context.ts";
import { emitEvent } from "../events/emit.ts";
import { ConnectError } from "../http/errors.ts";
import {
  claimRefresh,
  findGrant,
  markGrantInvalid,
  releaseRefresh,
  storeRefreshedTokens,
} from "./grant-queries.ts";
import { type Grant, grantView } from "./grant-view.ts";
import { decryptToken, encryptToken } from "./token-crypto.ts";

// Refresh a minute early: a token that expires in flight fails the provider call it was for.
const EARLY_MS = 60_000;
// The lease outlives a slow provider (openid-client times out at 30 s by default).
const LEASE_MS = 45_000;
const WAIT_STEP_MS = 100;

export const grantInvalid = (id: string) =>
  new ConnectError(
    401,
    "invalid_grant",
    `Grant ${id} is no longer valid (the provider refused its refresh token: access was revoked or expired). Send the user through /v3/connect/auth again: re-authentication keeps the grant id.`,
  );

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The grant's provider access token, refreshed first when it is about to expire. One node
 * refreshes at a time (a lease on the row, never a transaction held across the provider call);
 * the others wait and read the new token. When the provider answers `invalid_grant`, the grant
 * becomes `invalid` and `grant.expired` is queued at once, in the same transaction. A refresh
 * stores every token of the grant under the key ring's current key (key rotation).
 */
export async function freshAccessToken(
  ctx: ConnectContext,
  start: Grant,
): Promise<{ accessToken: string; grant: Grant }> {
  let grant = start;
  const deadline = Date.now() + LEASE_MS;
  for (;;) {
    if (grant.grant_status !== "valid") throw grantInvalid(grant.id);
    const expires = grant.access_token_expires_at?.getTime() ?? Number.POSITIVE_INFINITY;
    const token = decryptToken(ctx.keyRing, grant, grant.access_token_enc);
    if (token && expires - EARLY_MS > ctx.now().getTime()) return { accessToken: token, grant };
    if (await claimRefresh(ctx.db, grant.id, LEASE_MS)) return refresh(ctx, grant);
    if (Date.now() > deadline)
      throw new ConnectError(503, "api_error", "The grant's token is being refreshed; try again.");
    await sleep(WAIT_STEP_MS);
    const again = await findGrant(ctx.db, grant.application_id, grant.id);
    if (!again) throw new ConnectError(404, "not_found_error", `Grant ${grant.id} was deleted.`);
    grant = again;
  }
}

async function refresh(ctx: ConnectContext, grant: Grant) {
  const refreshToken = decryptToken(ctx.keyRing, grant, grant.refresh_token_enc);
  if (!refreshToken) {
    await expire(ctx, grant);
    throw grantInvalid(grant.id);
  }
  let tokens: oidc.TokenEndpointResponse;
  try {
    const connector = await requireConnector(
      ctx.db,
      ctx.keyRing,
      grant.application_id,
      grant.provider,
    );
    const client = await ctx.providers.get(connector);
    const scope = grant.scope.join(" ");
    tokens = await oidc.refreshTokenGrant(client.config, refreshToken, scope ? { scope } : {});
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError && error.error === "invalid_grant") {
      await expire(ctx, grant);
      throw grantInvalid(grant.id);
    }
    await releaseRefresh(ctx.db, grant.id);
    if (error instanceof ConnectError) throw error;
    throw new ConnectError(
      502,
      "provider_error",
      `The provider did not refresh the grant's token: ${(error as Error).message}`,
      error instanceof oidc.ResponseBodyError ? error.cause : undefined,
    );
  }
  const updated = await storeRefreshedTokens(ctx.db, grant.id, {
    accessTokenEnc: encryptToken(ctx.keyRing, grant, tokens.access_token),
    accessTokenExpiresAt: tokens.expires_in
      ? new Date(ctx.now().getTime() + tokens.expires_in * 1000)
      : null,
    refreshTokenEnc: reencrypted(ctx, grant, tokens.refresh_token, grant.refresh_token_enc),
    idTokenEnc: reencrypted(ctx, grant, tokens.id_token, grant.id_token_enc),
  });
  return { accessToken: tokens.access_token, grant: updated ?? grant };
}

/**
 * What to store for a token the provider may or may not have sent anew: the new one, else the
 * stored one re-encrypted when it is under an older key (a refresh moves all of a grant's tokens
 * to the current key), else null (keep the stored ciphertext).
 */
function reencrypted(
  ctx: ConnectContext,
  grant: Grant,
  fresh: string | undefined,
  stored: string | null,
): string | null {
  if (fresh) return encryptToken(ctx.keyRing, grant, fresh);
  if (!stored || !ctx.keyRing.isStale(stored)) return null;
  const plain = decryptToken(ctx.keyRing, grant, stored);
  return plain ? encryptToken(ctx.keyRing, grant, plain) : null;
}

/** Invalid now, and `grant.expired` in the same transaction (fired once per expiry). */
async function expire(ctx: ConnectContext, grant: Grant) {
  const expired = await ctx.db.transaction().execute(async (trx) => {
    const changed = await markGrantInvalid(trx, grant.id);
    if (changed) await emitEvent(trx, grant.application_id, "grant.expired", grantView(changed));
    return changed;
  });
  if (expired) ctx.wake();
}
