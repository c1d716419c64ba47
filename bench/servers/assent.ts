import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { loadConfig } from "../../src/config/index.ts";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import { createIdentityApp } from "../../src/identity/app.ts";
import {
  addClientSecret,
  assignAppRole,
  createApplication,
  findApplicationById,
  MAIL_APPLICATION_ID,
  requirePermission,
} from "../../src/identity/apps/index.ts";
import { grantDelegatedPermissions } from "../../src/identity/consent/index.ts";
import { createDirectory } from "../../src/identity/directory/index.ts";
import { tenantCreationHooks } from "../../src/identity/tenant-hooks.ts";
import { KeyRing } from "../../src/platform/crypto/index.ts";
import { freePort } from "../../test/support/processes.ts";
import { BENCH_REDIRECT_URI, onStop, openBenchDatabase, ready } from "./common.ts";

/** Assent Identity as deployed: the real app, a tenant, a user, a confidential client. */
const database = await openBenchDatabase();
// Scale-out (bench/scale-out.ts): every node of a cluster shares the key ring, the secret key
// and the public URL (the proxy's); a node started with BENCH_JOIN serves the first node's
// tenant and client instead of creating its own.
const env = process.env;
const keyRing = new KeyRing([
  env.BENCH_KEYRING_KEY ? Buffer.from(env.BENCH_KEYRING_KEY, "base64") : randomBytes(32),
]);
const port = await freePort();
const base = env.BENCH_PUBLIC_URL ?? `http://127.0.0.1:${port}`;
const config = loadConfig({
  ASSENT_IDENTITY_URL: base,
  ASSENT_SECRET_KEY: env.BENCH_SECRET_KEY ?? randomBytes(32).toString("base64"),
  LOG_LEVEL: "silent",
});
/** The bench tenant, user and client; the second node of a cluster finds them made. */
async function seed() {
  const password = "correct horse battery staple";
  const directory = createDirectory({ database, onTenantCreated: tenantCreationHooks(keyRing) });
  const tenant = await directory.tenants.create({ slug: "bench", displayName: "Bench" }, CLI_ACTOR);
  await directory.users.create(
    tenant.id,
    { userPrincipalName: "bench@bench.example", displayName: "Bench User", password },
    CLI_ACTOR,
  );
  const app = await createApplication(
    database.db,
    tenant.id,
    { displayName: "Bench client", redirectUris: [BENCH_REDIRECT_URI] },
    CLI_ACTOR,
  );
  const { secret } = await addClientSecret(database.db, tenant.id, app.id, {}, CLI_ACTOR);
  const mail = await findApplicationById(database.db, MAIL_APPLICATION_ID);
  if (!mail) throw new Error("Assent Mail resource missing");
  await requirePermission(
    database.db,
    tenant.id,
    app.id,
    { resource: mail, value: "Mail.Read.All", type: "Role" },
    CLI_ACTOR,
  );
  const clientSp = await database.db
    .selectFrom("identity.service_principals")
    .select("id")
    .where("tenant_id", "=", tenant.id)
    .where("application_id", "=", app.id)
    .executeTakeFirstOrThrow();
  await assignAppRole(
    database.db,
    tenant.id,
    {
      resourceApplicationId: mail.id,
      principalType: "ServicePrincipal",
      principalId: clientSp.id,
      roleValue: "Mail.Read.All",
    },
    CLI_ACTOR,
  );

  // The bench user has consented already (as the bare peer's interaction grants what is asked):
  // the flows measured are those of a signed-in user with an existing grant, no consent screen.
  await grantDelegatedPermissions(
    database.db,
    tenant.id,
    {
      clientApplicationId: app.id,
      resourceApplicationId: mail.id,
      scopes: ["openid", "offline_access", "Mail.Read"],
      consentType: "AllPrincipals",
    },
    CLI_ACTOR,
  );
  return { tenant, app, secret, password };
}

const seeded = env.BENCH_JOIN ? undefined : await seed();
const server = await createIdentityApp({
  config,
  database,
  keyRing,
  logger: pino({ level: "silent" }),
});
await server.listen({ host: "127.0.0.1", port });
onStop(async () => {
  await server.close();
  await database.close();
});

const listening = (server.server.address() as AddressInfo).port;
if (!seeded) {
  ready({ system: "Assent (joined)", port: listening });
} else {
  const { tenant, app, secret, password } = seeded;
  const oauth = `${base}/${tenant.id}/oauth2/v2.0`;
  ready({
    system: "Assent",
    base,
    port: listening,
    tokenEndpoint: `${oauth}/token`,
    authorizationEndpoint: `${oauth}/authorize`,
    clientId: app.appId,
    clientSecret: secret,
    redirectUri: BENCH_REDIRECT_URI,
    clientCredentialsParams: {
      grant_type: "client_credentials",
      scope: "api://assent-mail/.default",
    },
    authorizeScope: "openid offline_access api://assent-mail/Mail.Read",
    introspectionEndpoint: `${oauth}/introspect`,
    userinfoEndpoint: `${oauth}/userinfo`,
    // The bench grant covers openid (profile would need the user's consent: AADSTS90093).
    userinfoScope: "openid",
    tenantId: tenant.id,
    login: {
      kind: "form",
      username: "bench@bench.example",
      password,
      usernameField: "username",
      passwordField: "password",
    },
  });
}
