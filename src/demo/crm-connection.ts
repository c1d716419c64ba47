import type { Kysely, Transaction } from "kysely";
import type { Config } from "../config/index.ts";
import {
  addCallbackUri,
  applicationOfApiKey,
  createConnectApplication,
  findApplication,
} from "../connect/applications/index.ts";
import { createConnector, findConnector, updateConnector } from "../connect/connectors/index.ts";
import type { ConnectDB } from "../connect/index.ts";
import { addClientSecret, MAX_SECRET_LIFETIME_DAYS } from "../identity/apps/index.ts";
import type { IdentityDB } from "../identity/db.ts";
import type { KeyRing } from "../platform/crypto/index.ts";
import type { DemoApp } from "./demo-app.ts";
import type { DemoDB } from "./tables.ts";
import { DEMO_NAMES, SEED_ACTOR } from "./world.ts";

/** The key is bound to its row: a ciphertext copied elsewhere does not decrypt. */
const API_KEY_CONTEXT = "demo.crm_settings:api_key";

/** What the demo app needs to call Connect as its customer: its application and API key. */
export interface CrmConnection {
  /** Connect's client id of the demo app. */
  applicationId: string;
  /** The demo app's Connect API key (printed in the demo banner, stored encrypted). */
  apiKey: string;
}

/** Undefined when the key ring changed (another ASSENT_SECRET_KEY): the key is then minted anew. */
function decryptOrUndefined(keyRing: KeyRing, envelope: string): string | undefined {
  try {
    return keyRing.decrypt(envelope, API_KEY_CONTEXT);
  } catch {
    return undefined;
  }
}

/** The demo app's Connect application and key, created again when missing or unusable. */
async function ensureApplication(
  trx: Transaction<IdentityDB>,
  keyRing: KeyRing,
  callbackUri: string,
): Promise<CrmConnection> {
  const demo = trx as unknown as Kysely<DemoDB>;
  const connect = trx as unknown as Kysely<ConnectDB>;
  const row = await demo.selectFrom("demo.crm_settings").selectAll().executeTakeFirst();
  if (row && (await findApplication(connect, row.connect_application_id))) {
    const apiKey = decryptOrUndefined(keyRing, row.api_key_enc);
    if (apiKey && (await applicationOfApiKey(connect, apiKey)) === row.connect_application_id) {
      await addCallbackUri(connect, row.connect_application_id, callbackUri);
      return { applicationId: row.connect_application_id, apiKey };
    }
  }
  const created = await createConnectApplication(connect, {
    name: DEMO_NAMES.app,
    callbackUris: [callbackUri],
  });
  const values = {
    connect_application_id: created.id,
    api_key_enc: keyRing.encrypt(created.apiKey, API_KEY_CONTEXT),
  };
  await demo
    .insertInto("demo.crm_settings")
    .values(values)
    .onConflict((oc) => oc.column("id").doUpdateSet(values))
    .execute();
  return { applicationId: created.id, apiKey: created.apiKey };
}

/**
 * The demo app's `microsoft` connector: Northwind CRM's registration at Identity (client id and
 * a client secret made for it), with Identity's Entra-shaped endpoints as the authority and
 * Contoso as the tenant. Created with a new secret when missing or pointed at another
 * registration; its authority follows Identity's URL.
 */
async function ensureConnector(
  trx: Transaction<IdentityDB>,
  keyRing: KeyRing,
  config: Config,
  app: DemoApp,
  applicationId: string,
): Promise<void> {
  const connect = trx as unknown as Kysely<ConnectDB>;
  const settings = {
    client_id: app.registration.appId,
    authority: config.identity.publicUrl,
    tenant: app.customerTenantId,
  };
  const existing = await findConnector(connect, keyRing, applicationId, "microsoft");
  const newSecret = async () =>
    (
      await addClientSecret(
        trx,
        app.registration.tenantId,
        app.registration.id,
        { displayName: "Assent Connect (demo)", expiresInDays: MAX_SECRET_LIFETIME_DAYS },
        SEED_ACTOR,
      )
    ).secret;
  if (!existing) {
    await createConnector(connect, keyRing, applicationId, {
      provider: "microsoft",
      settings: { ...settings, client_secret: await newSecret() },
    });
    return;
  }
  const current = existing.settings;
  if (current.client_id !== settings.client_id || !existing.clientSecret)
    await updateConnector(connect, keyRing, applicationId, "microsoft", {
      settings: { ...settings, client_secret: await newSecret() },
    });
  else if (current.authority !== settings.authority || current.tenant !== settings.tenant)
    await updateConnector(connect, keyRing, applicationId, "microsoft", { settings });
}

/**
 * On every demo start: the demo app's Connect application (with the demo app's callback), its
 * API key and its connector to Identity, as a developer would have set them up with
 * `assent connect app create` and `POST /v3/connectors`.
 */
export async function ensureCrmConnection(
  trx: Transaction<IdentityDB>,
  keyRing: KeyRing,
  config: Config,
  app: DemoApp,
): Promise<CrmConnection> {
  const connection = await ensureApplication(trx, keyRing, `${config.demo.publicUrl}/callback`);
  await ensureConnector(trx, keyRing, config, app, connection.applicationId);
  return connection;
}
