import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { KeyRing } from "../../platform/crypto/index.ts";
import { webhookSignature } from "../../platform/webhooks/index.ts";
import { applicationIdOf } from "../applications/index.ts";
import { type Connector, providerOf, requireConnector } from "../connectors/index.ts";
import type { ConnectContext } from "../context.ts";
import { badRequest } from "../http/errors.ts";
import type { ConnectDB } from "../tables.ts";

/** The Identity events Connect acts on. */
export const IDENTITY_EVENT_TYPES = ["consent_request.approved"] as const;

/** The encryption context of a connector's Identity webhook secret (bound to the connector). */
export const identitySecretContext = (connectorId: string) =>
  `connect.identity_webhook:${connectorId}`;

const PutBody = z.object({ secret: z.string().min(1).max(200) }).strict();

type ProviderParams = { Params: { provider: string } };

/** Checks a Standard Webhooks secret the way the signer will use it (`whsec_` + 24–64 bytes). */
function checkSecret(secret: string): string {
  try {
    webhookSignature(secret, "probe", 0, "");
    return secret;
  } catch (error) {
    throw badRequest(
      `secret: ${(error as Error).message}. Paste the secret Assent Identity returned when the endpoint was registered.`,
    );
  }
}

/**
 * Connect's subscription to Assent Identity's `consent_request.approved` webhook, one per
 * connector (a connector that talks to Assent Identity is bound to one organisation: its tenant
 * or issuer). `GET /v3/connectors/{provider}/identity-webhook` gives the URL the organisation's
 * administrator registers in Identity (`POST /api/v1/webhookEndpoints`); Identity answers with
 * the signing secret, which the application stores here with `PUT` (encrypted at rest, never
 * shown again). `DELETE` unsubscribes: deliveries then answer 401.
 */
export function identitySubscriptionRoutes(ctx: ConnectContext) {
  const { db, keyRing } = ctx;
  const view = (connector: Connector, secretConfigured: boolean) => ({
    url: `${ctx.publicUrl}/v3/connect/identity-events/${connector.id}`,
    event_types: IDENTITY_EVENT_TYPES,
    secret_configured: secretConfigured,
  });
  const connectorOf = (request: Parameters<typeof applicationIdOf>[0], provider: string) =>
    requireConnector(db, keyRing, applicationIdOf(request), providerOf(provider));
  return async (app: FastifyInstance) => {
    const path = "/v3/connectors/:provider/identity-webhook";
    app.get<ProviderParams>(path, async (request) => {
      const connector = await connectorOf(request, request.params.provider);
      const secret = await storedSecret(db, keyRing, connector.id);
      return { request_id: request.id, data: view(connector, secret !== undefined) };
    });
    app.put<ProviderParams>(path, async (request) => {
      const connector = await connectorOf(request, request.params.provider);
      const secret = checkSecret(PutBody.parse(request.body ?? {}).secret);
      await setSecret(
        db,
        connector.id,
        keyRing.encrypt(secret, identitySecretContext(connector.id)),
      );
      return { request_id: request.id, data: view(connector, true) };
    });
    app.delete<ProviderParams>(path, async (request) => {
      const connector = await connectorOf(request, request.params.provider);
      await setSecret(db, connector.id, null);
      return { request_id: request.id, data: view(connector, false) };
    });
  };
}

function setSecret(db: Kysely<ConnectDB>, connectorId: string, enc: string | null) {
  return db
    .updateTable("connect.connectors")
    .set({ identity_webhook_secret_enc: enc })
    .where("id", "=", connectorId)
    .execute();
}

/** The connector's Identity webhook secret, decrypted, if one is configured. */
export async function storedSecret(
  db: Kysely<ConnectDB>,
  keyRing: KeyRing,
  connectorId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom("connect.connectors")
    .select("identity_webhook_secret_enc")
    .where("id", "=", connectorId)
    .executeTakeFirst();
  return row?.identity_webhook_secret_enc
    ? keyRing.decrypt(row.identity_webhook_secret_enc, identitySecretContext(connectorId))
    : undefined;
}
