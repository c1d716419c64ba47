import type { Kysely } from "kysely";
import type { z } from "zod";
import type { KeyRing } from "../../platform/crypto/index.ts";
import { isUniqueViolation } from "../../platform/db/index.ts";
import { badRequest, ConnectError, notFound } from "../http/errors.ts";
import type { ConnectDB, ConnectorSettings, ProviderName } from "../tables.ts";
import {
  type CreateConnectorBody,
  DEFAULT_SCOPES,
  PROVIDERS,
  settingsProblem,
  type UpdateConnectorBody,
} from "./connector-settings.ts";

/** A connector with its secret decrypted: for talking to the provider, never for the wire. */
export interface Connector {
  id: string;
  applicationId: string;
  provider: ProviderName;
  settings: ConnectorSettings;
  clientSecret: string | undefined;
  scope: string[];
  updatedAt: Date;
}

/** The secret is bound to its connector row: a ciphertext copied to another row fails to decrypt. */
export const connectorSecretContext = (applicationId: string, provider: string) =>
  `connect.connector:${applicationId}:${provider}`;

/** The connector as the API shows it: no secret, ever. */
export function connectorView(c: Connector) {
  return {
    provider: c.provider,
    settings: c.settings,
    scope: c.scope,
    has_client_secret: c.clientSecret !== undefined,
  };
}

export function providerOf(value: string): ProviderName {
  if (!(PROVIDERS as readonly string[]).includes(value))
    throw badRequest(`Unknown provider "${value}": use one of ${PROVIDERS.join(", ")}.`);
  return value as ProviderName;
}

type Row = {
  id: string;
  application_id: string;
  provider: ProviderName;
  settings: ConnectorSettings;
  client_secret_enc: string | null;
  scope: string[];
  updated_at: Date;
};

function fromRow(keyRing: KeyRing, row: Row): Connector {
  return {
    id: row.id,
    applicationId: row.application_id,
    provider: row.provider,
    settings: row.settings,
    clientSecret: row.client_secret_enc
      ? keyRing.decrypt(
          row.client_secret_enc,
          connectorSecretContext(row.application_id, row.provider),
        )
      : undefined,
    scope: row.scope,
    updatedAt: row.updated_at,
  };
}

const COLUMNS = [
  "id",
  "application_id",
  "provider",
  "settings",
  "client_secret_enc",
  "scope",
  "updated_at",
] as const;

export async function listConnectors(
  db: Kysely<ConnectDB>,
  keyRing: KeyRing,
  applicationId: string,
) {
  const rows = await db
    .selectFrom("connect.connectors")
    .select(COLUMNS)
    .where("application_id", "=", applicationId)
    .orderBy("created_at")
    .execute();
  return rows.map((r) => fromRow(keyRing, r));
}

export async function findConnector(
  db: Kysely<ConnectDB>,
  keyRing: KeyRing,
  applicationId: string,
  provider: ProviderName,
): Promise<Connector | undefined> {
  const row = await db
    .selectFrom("connect.connectors")
    .select(COLUMNS)
    .where("application_id", "=", applicationId)
    .where("provider", "=", provider)
    .executeTakeFirst();
  return row ? fromRow(keyRing, row) : undefined;
}

export async function requireConnector(
  db: Kysely<ConnectDB>,
  keyRing: KeyRing,
  applicationId: string,
  provider: ProviderName,
): Promise<Connector> {
  const connector = await findConnector(db, keyRing, applicationId, provider);
  if (!connector)
    throw notFound(
      `This application has no ${provider} connector: create one with POST /v3/connectors.`,
    );
  return connector;
}

/** Creates the application's connector for a provider (one per provider). */
export async function createConnector(
  db: Kysely<ConnectDB>,
  keyRing: KeyRing,
  applicationId: string,
  body: z.infer<typeof CreateConnectorBody>,
): Promise<Connector> {
  const { client_secret, ...settings } = body.settings;
  const problem = settingsProblem(body.provider, body.settings);
  if (problem) throw badRequest(problem);
  try {
    const row = await db
      .insertInto("connect.connectors")
      .values({
        application_id: applicationId,
        provider: body.provider,
        settings: JSON.stringify(settings),
        client_secret_enc: client_secret
          ? keyRing.encrypt(client_secret, connectorSecretContext(applicationId, body.provider))
          : null,
        scope: JSON.stringify(body.scope ?? DEFAULT_SCOPES[body.provider]),
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return fromRow(keyRing, row);
  } catch (error) {
    if (isUniqueViolation(error, "connectors_application_provider_key"))
      throw new ConnectError(
        409,
        "invalid_request_error",
        `This application already has a ${body.provider} connector: change it with PATCH /v3/connectors/${body.provider}.`,
      );
    throw error;
  }
}

/** Changes settings (merged), secret or scopes of a connector. */
export async function updateConnector(
  db: Kysely<ConnectDB>,
  keyRing: KeyRing,
  applicationId: string,
  provider: ProviderName,
  body: z.infer<typeof UpdateConnectorBody>,
): Promise<Connector> {
  const current = await requireConnector(db, keyRing, applicationId, provider);
  const { client_secret, ...changes } = body.settings ?? {};
  const settings = { ...current.settings, ...changes };
  const problem = settingsProblem(provider, {
    ...settings,
    client_secret: client_secret ?? current.clientSecret,
  });
  if (problem) throw badRequest(problem);
  const row = await db
    .updateTable("connect.connectors")
    .set({
      settings: JSON.stringify(settings),
      ...(client_secret
        ? {
            client_secret_enc: keyRing.encrypt(
              client_secret,
              connectorSecretContext(applicationId, provider),
            ),
          }
        : {}),
      ...(body.scope ? { scope: JSON.stringify(body.scope) } : {}),
      updated_at: new Date(),
    })
    .where("id", "=", current.id)
    .where("application_id", "=", applicationId)
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return fromRow(keyRing, row);
}

export async function deleteConnector(
  db: Kysely<ConnectDB>,
  applicationId: string,
  provider: ProviderName,
): Promise<boolean> {
  const result = await db
    .deleteFrom("connect.connectors")
    .where("application_id", "=", applicationId)
    .where("provider", "=", provider)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The providers an application has connectors for. */
export async function listConnectorsOf(
  db: Kysely<ConnectDB>,
  applicationId: string,
): Promise<ProviderName[]> {
  const rows = await db
    .selectFrom("connect.connectors")
    .select("provider")
    .where("application_id", "=", applicationId)
    .execute();
  return rows.map((r) => r.provider);
}
