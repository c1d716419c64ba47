import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { loadConfig } from "../../../../src/config/index.ts";
import { CLI_ACTOR } from "../../../../src/identity/activity/audit-log.ts";
import { createIdentityApp } from "../../../../src/identity/app.ts";
import {
  type Application,
  addClientSecret,
  createApplication,
  MAIL_APPLICATION_ID,
  MAIL_SCOPE_IDS,
} from "../../../../src/identity/apps/index.ts";
import { grantDelegatedPermissions } from "../../../../src/identity/consent/index.ts";
import {
  createDirectory,
  type Tenant,
  type User,
} from "../../../../src/identity/directory/index.ts";
import { signingKeysOnTenantCreated } from "../../../../src/identity/keys/index.ts";
import { KeyRing } from "../../../../src/platform/crypto/index.ts";
import type { TestDatabase } from "../../../support/databases.ts";

export const PASSWORD = "correct horse battery staple";

/** A free loopback port: the public URL (the issuers' base) must be known before listening. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface IdentityServer {
  app: FastifyInstance;
  baseUrl: string;
  keyRing: KeyRing;
  close(): Promise<void>;
}

/** The identity app listening on loopback, with config.identity.publicUrl its own URL. */
export async function startIdentity(t: TestDatabase): Promise<IdentityServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    ASSENT_IDENTITY_URL: baseUrl,
    ASSENT_SECRET_KEY: randomBytes(32).toString("base64"),
    LOG_LEVEL: "silent",
  });
  const keyRing = new KeyRing([randomBytes(32)]);
  const app = await createIdentityApp({
    config,
    database: t.database,
    keyRing,
    logger: pino({ level: "silent" }),
  });
  await app.listen({ port, host: "127.0.0.1" });
  return { app, baseUrl, keyRing, close: () => app.close() };
}

export interface Seeded {
  tenant: Tenant;
  user: User;
  /** A public client (SPA / native): PKCE, no secret. */
  spa: Application;
  /** A confidential client (web app) and its secret. */
  web: Application;
  webSecret: string;
  redirectUri: string;
  issuer: string;
}

/**
 * A tenant with signing keys, a user with a password, a public and a confidential client.
 *
 * @example
 * const s = await seedTenant(t, server, "contoso-flow");
 */
export async function seedTenant(
  t: TestDatabase,
  server: IdentityServer,
  slug: string,
): Promise<Seeded> {
  const { db } = t.database;
  const directory = createDirectory({
    database: t.database,
    onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
  });
  const tenant = await directory.tenants.create({ slug, displayName: `${slug} Ltd` }, CLI_ACTOR);
  const user = await directory.users.create(
    tenant.id,
    { userPrincipalName: `ada@${slug}.example`, displayName: "Ada Lovelace", password: PASSWORD },
    CLI_ACTOR,
  );
  const redirectUri = "http://127.0.0.1:9/callback";
  const spa = await createApplication(
    db,
    tenant.id,
    { displayName: "Contoso SPA", isPublicClient: true, redirectUris: [redirectUri] },
    CLI_ACTOR,
  );
  const web = await createApplication(
    db,
    tenant.id,
    { displayName: "Contoso Web", redirectUris: [redirectUri] },
    CLI_ACTOR,
  );
  // These tests are about the protocol, not consent: an administrator has consented to every
  // Assent Mail permission for both apps (test/identity/consent covers the consent screens).
  await grantTenantWide(t, tenant.id, spa);
  await grantTenantWide(t, tenant.id, web);
  const { secret } = await addClientSecret(
    db,
    tenant.id,
    web.id,
    { displayName: "test" },
    CLI_ACTOR,
  );
  return {
    tenant,
    user,
    spa,
    web,
    webSecret: secret,
    redirectUri,
    issuer: `${server.baseUrl}/${tenant.id}/v2.0`,
  };
}

/** Admin consent for the whole tenant: every Assent Mail permission (or the given ones). */
export async function grantTenantWide(
  t: TestDatabase,
  tenantId: string,
  app: Application,
  scopes: string[] = Object.keys(MAIL_SCOPE_IDS),
): Promise<void> {
  await grantDelegatedPermissions(
    t.database.db,
    tenantId,
    {
      clientApplicationId: app.id,
      resourceApplicationId: MAIL_APPLICATION_ID,
      scopes,
      consentType: "AllPrincipals",
    },
    CLI_ACTOR,
  );
}
