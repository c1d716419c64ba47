import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.ts";
import { createIdentityApp } from "../../../src/identity/app.ts";
import { enqueueEmail, MAIL_NOT_CONFIGURED_MESSAGE } from "../../../src/platform/mail/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { freePort } from "../../support/processes.ts";
import { expectCall, expectError, portalToken } from "./admin-http.ts";
import { type IdentityServer, seedAdminTenant, startIdentity } from "./support.ts";

const EMAIL = "/api/v1/notifications/email";

/** Identity told, as `assent start` tells it, that its background has an SMTP transport. */
async function startWithEmail(t: TestDatabase, server: IdentityServer): Promise<IdentityServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    // The same issuer as `server`, so tokens minted for its tenants verify here too.
    ASSENT_IDENTITY_URL: server.baseUrl,
    ASSENT_SECRET_KEY: randomBytes(32).toString("base64"),
    LOG_LEVEL: "silent",
  });
  const app = await createIdentityApp({
    config,
    database: t.database,
    keyRing: server.keyRing,
    logger: pino({ level: "silent" }),
    emailConfigured: () => true,
  });
  await app.listen({ port, host: "127.0.0.1" });
  return { app, baseUrl, keyRing: server.keyRing, close: () => app.close() };
}

describe.each(["pglite", "postgres"] as const)("admin API: email notifications on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (t) server = await startIdentity(t);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it("says email is not configured and counts the tenant's waiting emails", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "mail-off");
    const token = await portalToken(t, s, s.users.globalAdmin);
    expect(await expectCall(server, "GET", EMAIL, token)).toEqual({
      configured: false,
      waiting: 0,
      message: MAIL_NOT_CONFIGURED_MESSAGE,
    });
    await enqueueEmail(
      t.database.db,
      "identity",
      { to: "reviewer@mail-off.example", subject: "A request waits", text: "Please review." },
      { tenantId: s.tenant.id },
    );
    // Another tenant's email is not this tenant's to count.
    const other = await seedAdminTenant(t, server, "mail-other");
    await enqueueEmail(
      t.database.db,
      "identity",
      { to: "someone@mail-other.example", subject: "Hello", text: "Hi." },
      { tenantId: other.tenant.id },
    );
    expect(await expectCall(server, "GET", EMAIL, token)).toEqual({
      configured: false,
      waiting: 1,
      message: MAIL_NOT_CONFIGURED_MESSAGE,
    });
  });

  it("says email is configured when Identity has an SMTP transport", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "mail-on");
    const withEmail = await startWithEmail(t, server);
    try {
      const token = await portalToken(t, s, s.users.globalAdmin);
      expect(await expectCall(withEmail, "GET", EMAIL, token)).toEqual({
        configured: true,
        waiting: 0,
      });
    } finally {
      await withEmail.close();
    }
  });

  it("refuses a user without a directory role", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "mail-plain");
    const token = await portalToken(t, s, s.users.plain);
    await expectError(server, "GET", EMAIL, token, 403, "authorization.role_required");
  });
});
