import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { applicationOfApiKey, listCallbackUris } from "../../src/connect/applications/index.ts";
import { findConnector } from "../../src/connect/connectors/index.ts";
import type { ConnectDB } from "../../src/connect/index.ts";
import { seedDemo } from "../../src/demo/seed.ts";
import { findApplicationByAppId, listClientSecrets } from "../../src/identity/apps/index.ts";
import { getConsentSettings } from "../../src/identity/consent/index.ts";
import { getAdminConsentRequestPolicy } from "../../src/identity/consent-requests/index.ts";
import { KeyRing } from "../../src/platform/crypto/index.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";

function configAt(identity: string, connect: string, demo: string) {
  return loadConfig({
    NODE_ENV: "test",
    ASSENT_IDENTITY_URL: identity,
    ASSENT_CONNECT_URL: connect,
    ASSENT_DEMO_URL: demo,
  });
}

/**
 * The demo seed of `assent start`: the world is made once; every start wires Northwind CRM to
 * that start's URLs (its home page, Connect's callback, the connector's authority) and keeps
 * the demo app's Connect application and API key, changing nothing when nothing moved.
 */
describe.each(["pglite", "postgres"] as const)("the demo seed on %s", (kind) => {
  let t: TestDatabase | undefined;
  const keyRing = new KeyRing([randomBytes(32)]);
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("creates the world once, wires the demo app to Connect, and is idempotent across starts", async (ctx) => {
    if (!t) return ctx.skip();
    const db = t.database.db;
    const connect = db as unknown as Kysely<ConnectDB>;
    const first = configAt(
      "http://localhost:4000",
      "http://localhost:4100",
      "http://localhost:4300",
    );
    const seeded = await seedDemo(t.database, keyRing, first);
    expect(seeded.created).toBe(true);
    expect(seeded.tenants.map((x) => x.slug)).toEqual(["contoso", "northwind-apps"]);
    const crm = seeded.crm;
    if (!crm) throw new Error("the demo app was not wired to Connect");
    expect(crm.apiKey).toMatch(/^ack_/);
    expect(await applicationOfApiKey(connect, crm.apiKey)).toBe(crm.applicationId);
    expect(await listCallbackUris(connect, crm.applicationId)).toEqual([
      "http://localhost:4300/callback",
    ]);

    // Contoso: users may not consent, they ask, and the Global Administrators review.
    const contoso = seeded.tenants.find((x) => x.slug === "contoso")?.id ?? "";
    expect(await getConsentSettings(db, contoso)).toMatchObject({
      userConsent: "disabled",
      adminConsentWorkflowEnabled: true,
    });
    expect((await getAdminConsentRequestPolicy(db, contoso)).reviewers).toEqual([
      { type: "role", id: "global_administrator" },
    ]);

    // Northwind CRM's registration: home page = the demo app ("Try again"), Connect's callback.
    const app = await findApplicationByAppId(db, seeded.demoAppId);
    expect(app).toMatchObject({
      homepageUrl: "http://localhost:4300/",
      redirectUris: ["http://localhost:4100/v3/connect/callback"],
      signInAudience: "AzureADMultipleOrgs",
      publisherVerified: false,
    });
    const connector = await findConnector(connect, keyRing, crm.applicationId, "microsoft");
    expect(connector?.settings).toEqual({
      client_id: seeded.demoAppId,
      authority: "http://localhost:4000",
      tenant: contoso,
    });
    expect(connector?.clientSecret).toBeTruthy();
    const secrets = await listClientSecrets(db, app?.tenantId ?? "", app?.id ?? "");
    expect(secrets).toHaveLength(1);

    // A second start on the same URLs: nothing new.
    const again = await seedDemo(t.database, keyRing, first);
    expect(again.created).toBe(false);
    expect(again.crm).toEqual(crm);
    expect(await listClientSecrets(db, app?.tenantId ?? "", app?.id ?? "")).toHaveLength(1);
    const unchanged = await findConnector(connect, keyRing, crm.applicationId, "microsoft");
    expect(unchanged?.updatedAt).toEqual(connector?.updatedAt);

    // A start on other URLs: the registration, the callback and the connector follow.
    const moved = configAt(
      "http://localhost:5000",
      "http://localhost:5100",
      "http://localhost:5300",
    );
    const third = await seedDemo(t.database, keyRing, moved);
    expect(third.crm).toEqual(crm);
    expect(await findApplicationByAppId(db, seeded.demoAppId)).toMatchObject({
      homepageUrl: "http://localhost:5300/",
      redirectUris: [
        "http://localhost:4100/v3/connect/callback",
        "http://localhost:5100/v3/connect/callback",
      ],
    });
    expect(await listCallbackUris(connect, crm.applicationId)).toContain(
      "http://localhost:5300/callback",
    );
    const followed = await findConnector(connect, keyRing, crm.applicationId, "microsoft");
    expect(followed?.settings.authority).toBe("http://localhost:5000");
    expect(followed?.clientSecret).toBe(connector?.clientSecret);

    // Another secret key cannot read the stored API key: the demo app gets a new application.
    const rekeyed = await seedDemo(t.database, new KeyRing([randomBytes(32)]), moved);
    expect(rekeyed.crm?.applicationId).not.toBe(crm.applicationId);
    expect(await applicationOfApiKey(connect, rekeyed.crm?.apiKey ?? "")).toBe(
      rekeyed.crm?.applicationId,
    );
  });
});
