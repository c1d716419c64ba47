import type { Kysely } from "kysely";
import { generateSecret, hashSecret } from "../../platform/crypto/index.ts";
import { inTransaction } from "../../platform/db/index.ts";
import { isUuid } from "../../platform/ids.ts";
import { hasUnsafeNameCharacters } from "../../platform/text.ts";
import { badRequest } from "../http/errors.ts";
import type { ConnectDB } from "../tables.ts";

/** API keys carry a recognisable prefix so secret scanners can find leaked ones. */
export const API_KEY_PREFIX = "ack_";

export interface ConnectApplication {
  id: string;
  name: string;
  callbackUris: string[];
  createdAt: Date;
}

export interface CreatedApplication extends ConnectApplication {
  /** The API key, shown once: only its hash is stored. */
  apiKey: string;
}

/** An http(s) URL without a fragment: where Connect sends people back to an application. */
export function checkCallbackUri(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw badRequest(`The callback URI "${uri}" is not an absolute URL.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw badRequest(`The callback URI "${uri}" must use https (or http for local development).`);
  if (url.hash) throw badRequest(`The callback URI "${uri}" must not have a #fragment.`);
  return uri;
}

/**
 * Registers an application with its callback URIs and a first API key (returned once).
 *
 * @example
 * const app = await createConnectApplication(db, { name: "CRM", callbackUris: ["https://crm.example/cb"] });
 */
export async function createConnectApplication(
  db: Kysely<ConnectDB>,
  input: { name: string; callbackUris: string[] },
): Promise<CreatedApplication> {
  const name = input.name.trim();
  if (!name || name.length > 256)
    throw badRequest("An application needs a name (1-256 characters).");
  // Shown on the approval page and in the approval email's subject: one line, read as written.
  if (hasUnsafeNameCharacters(name))
    throw badRequest(
      "An application name cannot contain control characters (such as line breaks) or text direction overrides (U+202A to U+202E, U+2066 to U+2069): remove them.",
    );
  const uris = [...new Set(input.callbackUris.map(checkCallbackUri))];
  return inTransaction(db, async (trx) => {
    const app = await trx
      .insertInto("connect.applications")
      .values({ name })
      .returning(["id", "name", "created_at"])
      .executeTakeFirstOrThrow();
    for (const uri of uris)
      await trx
        .insertInto("connect.callback_uris")
        .values({ application_id: app.id, uri })
        .execute();
    const apiKey = await insertApiKey(trx, app.id, "default");
    return { id: app.id, name: app.name, callbackUris: uris, createdAt: app.created_at, apiKey };
  });
}

/** Adds an API key to an application; returns the key (shown once). */
export async function insertApiKey(
  db: Kysely<ConnectDB>,
  applicationId: string,
  name: string,
): Promise<string> {
  const apiKey = generateSecret(API_KEY_PREFIX);
  await db
    .insertInto("connect.api_keys")
    .values({ application_id: applicationId, name, key_hash: hashSecret(apiKey) })
    .execute();
  return apiKey;
}

/** The application an unrevoked API key belongs to, or undefined. */
export async function applicationOfApiKey(
  db: Kysely<ConnectDB>,
  apiKey: string,
): Promise<string | undefined> {
  if (!apiKey.startsWith(API_KEY_PREFIX) || apiKey.length > 200) return undefined;
  const row = await db
    .selectFrom("connect.api_keys")
    .select("application_id")
    .where("key_hash", "=", hashSecret(apiKey))
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return row?.application_id;
}

export async function findApplication(
  db: Kysely<ConnectDB>,
  id: string,
): Promise<ConnectApplication | undefined> {
  if (!isUuid(id)) return undefined;
  const app = await db
    .selectFrom("connect.applications")
    .select(["id", "name", "created_at"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!app) return undefined;
  return {
    id: app.id,
    name: app.name,
    callbackUris: await listCallbackUris(db, id),
    createdAt: app.created_at,
  };
}

export async function listCallbackUris(db: Kysely<ConnectDB>, applicationId: string) {
  const rows = await db
    .selectFrom("connect.callback_uris")
    .select("uri")
    .where("application_id", "=", applicationId)
    .orderBy("created_at")
    .execute();
  return rows.map((r) => r.uri);
}

export async function addCallbackUri(db: Kysely<ConnectDB>, applicationId: string, uri: string) {
  await db
    .insertInto("connect.callback_uris")
    .values({ application_id: applicationId, uri: checkCallbackUri(uri) })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function removeCallbackUri(db: Kysely<ConnectDB>, applicationId: string, uri: string) {
  const result = await db
    .deleteFrom("connect.callback_uris")
    .where("application_id", "=", applicationId)
    .where("uri", "=", uri)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
