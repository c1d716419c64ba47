import type { Kysely } from "kysely";
import { type Adapter, type AdapterPayload, errors } from "oidc-provider";
import type { IdentityDB } from "../db.ts";
import { withEntraCode } from "./errors/entra-error.ts";
import {
  consumeArtifact,
  deleteArtifact,
  deleteByGrantId,
  deleteModelByGrantId,
  selectArtifact,
  selectGrantIdOf,
  upsertArtifact,
} from "./store-queries.ts";

/** Finds the client metadata for a client_id (clients come from app registrations). */
export type ClientFinder = (clientId: string) => Promise<Record<string, unknown> | undefined>;

// What a replayed single-use artifact means, in Entra's words (see error-catalog.ts).
const REPLAY: Record<string, { code: number; detail: string }> = {
  AuthorizationCode: { code: 54005, detail: "authorization code already consumed" },
  RefreshToken: { code: 50173, detail: "refresh token already used" },
};

/**
 * oidc-provider's storage adapter for one tenant, over `identity.oidc_store`. The Client model
 * is not stored: it is read from the tenant's view of the app registrations.
 *
 * `consume` is race-safe: one conditional UPDATE decides. The loser of a race (or a replay) finds
 * nothing to consume, revokes the whole grant and gets invalid_grant, so of N concurrent
 * exchanges of one code exactly one succeeds (RFC 6749 section 4.1.2: a code used twice MUST be
 * denied and SHOULD revoke the tokens issued from it; RFC 9700 section 4.14.2 for refresh tokens).
 */
export function createStoreAdapter(
  db: Kysely<IdentityDB>,
  tenantId: string,
  findClient: ClientFinder,
): (model: string) => Adapter {
  return (model) => {
    if (model === "Client") return clientAdapter(findClient);
    return {
      async upsert(id, payload, expiresIn) {
        await upsertArtifact(db, {
          tenantId,
          model,
          id,
          payload,
          grantId: model === "Grant" ? id : (payload.grantId ?? null),
          uid: model === "Session" ? (payload.uid ?? null) : null,
          userCode: payload.userCode ?? null,
          expiresAt: typeof expiresIn === "number" ? new Date(Date.now() + expiresIn * 1000) : null,
        });
      },
      find: (id) => found(selectArtifact(db, tenantId, model, "id", id)),
      findByUid: (uid) => found(selectArtifact(db, tenantId, model, "uid", uid)),
      findByUserCode: (code) => found(selectArtifact(db, tenantId, model, "user_code", code)),
      async consume(id) {
        if (await consumeArtifact(db, tenantId, model, id)) return;
        const grantId = await selectGrantIdOf(db, tenantId, model, id);
        if (grantId) await deleteByGrantId(db, tenantId, grantId);
        const replay = REPLAY[model] ?? { code: 70000, detail: `${model} already consumed` };
        throw withEntraCode(new errors.InvalidGrant(replay.detail), replay.code);
      },
      destroy: (id) => deleteArtifact(db, tenantId, model, id),
      revokeByGrantId: (grantId) => deleteModelByGrantId(db, tenantId, model, grantId),
    };
  };
}

async function found(
  row: Promise<{ payload: Record<string, unknown>; consumedAt: Date | null } | undefined>,
): Promise<AdapterPayload | undefined> {
  const stored = await row;
  if (!stored) return undefined;
  if (!stored.consumedAt) return stored.payload;
  return { ...stored.payload, consumed: Math.floor(stored.consumedAt.getTime() / 1000) };
}

function clientAdapter(findClient: ClientFinder): Adapter {
  const unsupported = async () => {
    throw new Error("clients come from app registrations and are never written by the protocol");
  };
  return {
    find: (id) => findClient(id),
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    upsert: unsupported,
    consume: unsupported,
    destroy: unsupported,
    revokeByGrantId: unsupported,
  };
}
