import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PORTAL_APP } from "../../src/identity/portal/index.ts";
import { type IdentityServer, startIdentity } from "../identity/oauth/support/fixture.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import { ensurePortalBuilt } from "./portal-support.ts";

/**
 * How Identity serves the portal, over HTTP on both databases: the SPA for every portal path
 * (deep links) with its strict CSP, hashed assets, nothing outside the assets folder, and the
 * first-party client's redirect URI written once for the public URL.
 */
describe.each(["pglite", "postgres"] as const)("serving the portal on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  beforeAll(async () => {
    await ensurePortalBuilt();
    t = await openTestDatabase(kind);
    if (!t) return;
    server = await startIdentity(t);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  async function portalApp() {
    const r = await sql<{ redirect_uris: string[]; updated_at: Date }>`
      select redirect_uris, updated_at from identity.applications
      where id = ${PORTAL_APP.applicationId}`.execute((t as TestDatabase).database.db);
    return r.rows[0];
  }

  it("registers exactly one redirect URI under the public URL, replacing one of another URL", async (ctx) => {
    if (!t) return ctx.skip();
    const before = await portalApp();
    expect(before?.redirect_uris).toEqual([`${server.baseUrl}/portal/callback`]);
    const again = await startIdentity(t);
    await again.close();
    const after = await portalApp();
    // Another public URL (the second server's port) replaces it; the first is then gone.
    expect(after?.redirect_uris).toEqual([`${again.baseUrl}/portal/callback`]);
  });

  it("answers deep links and the callback with the SPA under a strict CSP", async (ctx) => {
    if (!t) return ctx.skip();
    for (const url of [
      "/some-tenant/portal",
      "/some-tenant/portal/consent-requests/x",
      "/portal/callback?code=1",
    ]) {
      const r = await server.app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers["content-type"]).toContain("text/html");
      expect(r.headers["cache-control"]).toBe("no-store");
      expect(r.headers["content-security-policy"]).toContain("script-src 'self';");
      expect(r.headers["content-security-policy"]).not.toContain("unsafe-inline");
      expect(r.body).toContain('<div id="root"></div>');
    }
    const index = await server.app.inject({ url: "/t/portal" });
    const script = /src="(\/portal\/assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    const asset = await server.app.inject({ url: script ?? "/missing" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["content-type"]).toContain("text/javascript");
    expect(asset.headers["cache-control"]).toContain("immutable");
  });

  it("serves nothing outside the assets folder", async (ctx) => {
    if (!t) return ctx.skip();
    for (const url of [
      "/portal/assets/..%2Findex.html",
      "/portal/assets/..%2F..%2Fvite.config.ts",
      "/portal/assets/nope.js",
      "/portal/assets/.hidden",
    ]) {
      const r = await server.app.inject({ url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error.code).toBe("portal.asset_not_found");
    }
  });
});
