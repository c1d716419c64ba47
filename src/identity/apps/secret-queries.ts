import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { ClientSecretInfo } from "./types.ts";

const INFO_COLUMNS = [
  "id",
  "application_id",
  "display_name",
  "hint",
  "expires_at",
  "created_at",
] as const;

function toInfo(row: {
  id: string;
  application_id: string;
  display_name: string;
  hint: string;
  expires_at: Date;
  created_at: Date;
}): ClientSecretInfo {
  return {
    id: row.id,
    applicationId: row.application_id,
    displayName: row.display_name,
    hint: row.hint,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
}

export async function insertSecret(
  db: Kysely<IdentityDB>,
  values: {
    tenantId: string;
    applicationId: string;
    displayName: string;
    hint: string;
    secretHash: string;
    expiresAt: Date;
  },
): Promise<ClientSecretInfo> {
  const row = await db
    .insertInto("identity.application_secrets")
    .values({
      tenant_id: values.tenantId,
      application_id: values.applicationId,
      display_name: values.displayName,
      hint: values.hint,
      secret_hash: values.secretHash,
      expires_at: values.expiresAt,
    })
    .returning(INFO_COLUMNS)
    .executeTakeFirstOrThrow();
  return toInfo(row);
}

export async function selectSecrets(
  db: Kysely<IdentityDB>,
  tenantId: string,
  applicationId: string,
): Promise<ClientSecretInfo[]> {
  const rows = await db
    .selectFrom("identity.application_secrets")
    .select(INFO_COLUMNS)
    .where("tenant_id", "=", tenantId)
    .where("application_id", "=", applicationId)
    .orderBy("created_at")
    .execute();
  return rows.map(toInfo);
}

/** The hashes a presented client secret is checked against. */
export async function selectSecretHashes(
  db: Kysely<IdentityDB>,
  applicationId: string,
): Promise<Array<{ secretHash: string; expiresAt: Date }>> {
  const rows = await db
    .selectFrom("identity.application_secrets")
    .select(["secret_hash", "expires_at"])
    .where("application_id", "=", applicationId)
    .execute();
  return rows.map((r) => ({ secretHash: r.secret_hash, expiresAt: r.expires_at }));
}
