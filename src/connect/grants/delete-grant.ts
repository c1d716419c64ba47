import * as oidc from "openid-client";
import { findConnector } from "../connectors/index.ts";
import type { ConnectContext } from "../context.ts";
import { emitEvent } from "../events/emit.ts";
import { notFound } from "../http/errors.ts";
import { deleteGrantRow, findGrant } from "./grant-queries.ts";
import { type Grant, grantView } from "./grant-view.ts";
import { decryptToken } from "./token-crypto.ts";

/**
 * Deletes a grant: first revokes its refresh token at the provider when the provider supports
 * revocation (RFC 7009; Assent Identity does, Entra does not), then removes the row and queues
 * `grant.deleted` in one transaction. A failed revocation is logged, not fatal: the app asked
 * for the grant to be gone, and Connect no longer holds the token either way.
 */
export async function deleteGrant(ctx: ConnectContext, applicationId: string, id: string) {
  const grant = await findGrant(ctx.db, applicationId, id);
  if (!grant) throw notFound(`No grant ${id} for this application.`);
  const revoked = await revokeAtProvider(ctx, grant);
  const deleted = await ctx.db.transaction().execute(async (trx) => {
    const row = await deleteGrantRow(trx, applicationId, id);
    if (row) await emitEvent(trx, applicationId, "grant.deleted", grantView(row));
    return row;
  });
  if (!deleted) throw notFound(`No grant ${id} for this application.`);
  ctx.wake();
  return { revoked };
}

async function revokeAtProvider(ctx: ConnectContext, grant: Grant): Promise<boolean> {
  const token = decryptToken(ctx.keyRing, grant, grant.refresh_token_enc);
  if (!token) return false;
  try {
    const connector = await findConnector(
      ctx.db,
      ctx.keyRing,
      grant.application_id,
      grant.provider,
    );
    if (!connector) return false;
    const client = await ctx.providers.get(connector);
    if (!client.config.serverMetadata().revocation_endpoint) return false;
    await oidc.tokenRevocation(client.config, token, { token_type_hint: "refresh_token" });
    return true;
  } catch (error) {
    ctx.logger.warn({ grant: grant.id, error: (error as Error).message }, "revocation failed");
    return false;
  }
}
