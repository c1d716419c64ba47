import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { parseForm } from "../identity/oauth/support/browser.ts";
import { type IdentityServer, PASSWORD, seedTenant } from "../identity/oauth/support/fixture.ts";
import { authorizeUrl, pkcePair } from "../identity/oauth/support/protocol.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import {
  cookieAttributes,
  ProxiedBrowser,
  startIdentityBehindProxy,
} from "./support/proxied-browser.ts";

/**
 * Cookie attributes on every cookie Identity sets during a sign-in and on its first-party
 * pages: HttpOnly and SameSite always; Secure whenever the public URL is https (the config's
 * ASSENT_IDENTITY_URL decides: cookies are Secure when it starts with https:, and behind a
 * TLS-terminating proxy ASSENT_TRUST_PROXY lets the provider see the original scheme).
 */

/** Signs in through the proxy and opens My apps; returns every Set-Cookie header seen. */
async function signInThroughProxy(
  server: IdentityServer & { localUrl: string },
  slug: string,
  t: TestDatabase,
) {
  const s = await seedTenant(t, server, slug);
  const browser = new ProxiedBrowser(server.baseUrl, server.localUrl);
  const { challenge } = pkcePair();
  let url = authorizeUrl(s, { code_challenge: challenge, code_challenge_method: "S256" });
  let response = await browser.request(url);
  for (let hops = 0; hops < 5 && response.status === 303; hops++) {
    url = new URL(response.headers.get("location") ?? "", url);
    response = await browser.request(url);
  }
  expect(response.status).toBe(200);
  const { action, fields } = parseForm(await response.text(), url);
  response = await browser.request(action, {
    method: "POST",
    form: { ...fields, username: s.user.userPrincipalName, password: PASSWORD },
  });
  url = action;
  for (let hops = 0; hops < 8 && response.status >= 300 && response.status < 400; hops++) {
    url = new URL(response.headers.get("location") ?? "", url);
    if (url.port === "9") break;
    response = await browser.request(url);
  }
  expect(url.searchParams.get("code"), `ended at ${url}`).toBeTruthy();
  const myApps = await browser.request(new URL(`${server.baseUrl}/${s.tenant.id}/myapps`));
  expect(myApps.status).toBe(200);
  expect(await myApps.text()).toContain(s.user.userPrincipalName);
  return browser.setCookies;
}

describe("cookie attributes (pglite)", () => {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("sets HttpOnly and SameSite on every cookie over loopback http (Secure impossible there)", async () => {
    const db = t as TestDatabase;
    const server = await startIdentityBehindProxy(db, {
      publicUrl: "http://localhost",
      trustProxy: false,
    });
    try {
      const cookies = await signInThroughProxy(server, "cookie-loopback", db);
      expect(cookies.length).toBeGreaterThanOrEqual(3);
      for (const header of cookies) {
        const { name, attrs } = cookieAttributes(header);
        expect(attrs.has("httponly"), `${name} HttpOnly`).toBe(true);
        expect(attrs.get("samesite")?.toLowerCase(), `${name} SameSite`).toMatch(/^(lax|strict)$/);
      }
    } finally {
      await server.close();
    }
  });

  it("marks every cookie Secure when the public URL is https behind a trusted proxy", async () => {
    const db = t as TestDatabase;
    const server = await startIdentityBehindProxy(db, {
      publicUrl: "https://login.assent.test",
      trustProxy: true,
    });
    try {
      const cookies = await signInThroughProxy(server, "cookie-https", db);
      expect(cookies.length).toBeGreaterThanOrEqual(3);
      for (const header of cookies) {
        const { name, attrs } = cookieAttributes(header);
        expect(attrs.has("secure"), `${name} Secure: ${header}`).toBe(true);
        expect(attrs.has("httponly"), `${name} HttpOnly`).toBe(true);
        expect(attrs.get("samesite")?.toLowerCase(), `${name} SameSite`).toMatch(/^(lax|strict)$/);
      }
    } finally {
      await server.close();
    }
  });

  it("marks every cookie Secure for an https public URL even when the proxy is not trusted", async () => {
    const db = t as TestDatabase;
    const server = await startIdentityBehindProxy(db, {
      publicUrl: "https://login2.assent.test",
      trustProxy: false,
    });
    try {
      const cookies = await signInThroughProxy(server, "cookie-untrusted", db);
      for (const header of cookies) {
        const { name, attrs } = cookieAttributes(header);
        expect(attrs.has("secure"), `${name} Secure: ${header}`).toBe(true);
      }
    } finally {
      await server.close();
    }
  });
});

describe("where plain http is allowed", () => {
  const production = {
    NODE_ENV: "production",
    DATABASE_URL: "postgres://db.internal/assent",
    ASSENT_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
  };
  it("refuses a plain http public URL outside loopback in production (cookies could not be Secure)", () => {
    for (const url of ["http://login.example.com", "http://10.0.0.5:4000", "http://assent"])
      expect(() => loadConfig({ ...production, ASSENT_IDENTITY_URL: url }), url).toThrow(
        /ASSENT_IDENTITY_URL: must be https in production/,
      );
    for (const url of [
      "https://login.example.com",
      "http://localhost:4000",
      "http://127.0.0.1:4000",
      "http://[::1]:4000",
    ])
      expect(loadConfig({ ...production, ASSENT_IDENTITY_URL: url }).identity.publicUrl).toBe(url);
    // The default (no ASSENT_IDENTITY_URL) is a loopback URL.
    expect(loadConfig(production).identity.publicUrl).toMatch(/^http:\/\/localhost:/);
    // Development may use any http URL (a LAN demo), with non-Secure cookies.
    expect(loadConfig({ ASSENT_IDENTITY_URL: "http://10.0.0.5:4000" }).identity.publicUrl).toBe(
      "http://10.0.0.5:4000",
    );
  });
});
