import * as oidc from "openid-client";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { type Application, createApplication } from "../../../src/identity/apps/index.ts";
import {
  type ConsentSettings,
  updateConsentSettings,
} from "../../../src/identity/consent/index.ts";
import {
  createDirectory,
  type DirectoryRole,
  type Tenant,
  type User,
} from "../../../src/identity/directory/index.ts";
import { signingKeysOnTenantCreated } from "../../../src/identity/keys/index.ts";
import type { TestDatabase } from "../../support/databases.ts";
import { type Browser, locationOf, parseForm } from "../oauth/support/browser.ts";
import { type IdentityServer, PASSWORD } from "../oauth/support/fixture.ts";

export const REDIRECT_URI = "http://127.0.0.1:9/callback";

export interface ConsentWorld {
  tenant: Tenant;
  issuer: string;
  /** A plain user. */
  megan: User;
  /** A Global Administrator. */
  admin: User;
  /** A public client registered in this tenant (a home app). */
  homeApp: Application;
  /** A multi-tenant public client of an unverified publisher in another tenant. */
  foreignApp: Application;
  publisher: Tenant;
}

let counter = 0;

/**
 * A customer tenant with a user and a Global Administrator, its own app, and a publisher tenant
 * whose unverified multi-tenant app wants the customer's mail. Consent settings as given.
 */
export async function seedWorld(
  t: TestDatabase,
  server: IdentityServer,
  slug: string,
  settings: Partial<ConsentSettings> = {},
): Promise<ConsentWorld> {
  const { db } = t.database;
  const directory = createDirectory({
    database: t.database,
    onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
  });
  const tenant = await directory.tenants.create({ slug, displayName: `${slug} Ltd` }, CLI_ACTOR);
  const publisher = await directory.tenants.create(
    { slug: `${slug}-pub${++counter}`, displayName: "Northwind Apps" },
    CLI_ACTOR,
  );
  const user = (upn: string, name: string) =>
    directory.users.create(
      tenant.id,
      { userPrincipalName: `${upn}@${slug}.example`, displayName: name, password: PASSWORD },
      CLI_ACTOR,
    );
  const megan = await user("megan", "Megan Bowen");
  const admin = await user("admin", "Alex Wilber");
  await directory.roles.assign(tenant.id, admin.id, "global_administrator", CLI_ACTOR);
  const homeApp = await createApplication(
    db,
    tenant.id,
    { displayName: "Contoso Notes", isPublicClient: true, redirectUris: [REDIRECT_URI] },
    CLI_ACTOR,
  );
  const foreignApp = await createApplication(
    db,
    publisher.id,
    {
      displayName: "Northwind CRM",
      isPublicClient: true,
      signInAudience: "AzureADMultipleOrgs",
      redirectUris: [REDIRECT_URI],
    },
    CLI_ACTOR,
  );
  if (Object.keys(settings).length > 0)
    await updateConsentSettings(db, tenant.id, settings, CLI_ACTOR);
  return {
    tenant,
    issuer: `${server.baseUrl}/${tenant.id}/v2.0`,
    megan,
    admin,
    homeApp,
    foreignApp,
    publisher,
  };
}

export async function addUser(
  t: TestDatabase,
  tenant: Tenant,
  upn: string,
  role?: DirectoryRole,
): Promise<User> {
  const directory = createDirectory({ database: t.database });
  const user = await directory.users.create(
    tenant.id,
    { userPrincipalName: `${upn}@${tenant.slug}.example`, displayName: upn, password: PASSWORD },
    CLI_ACTOR,
  );
  if (role) await directory.roles.assign(tenant.id, user.id, role, CLI_ACTOR);
  return user;
}

/** An authorization request of the app, with PKCE; returns it and its verifier. */
export async function authorizeRequest(
  w: { issuer: string },
  app: Application,
  scope: string,
  extra: Record<string, string> = {},
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const url = new URL(`${w.issuer.replace(/\/v2\.0$/, "")}/oauth2/v2.0/authorize`);
  const params = {
    client_id: app.appId,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope,
    state: "st-1",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { url, verifier };
}

/** Where a walk through redirects ended: the app's callback, or a page of the identity server. */
export type Stop =
  | { at: "app"; callback: URL }
  | { at: "page"; url: URL; status: number; html: string };

/** Follows redirects from `start` until the app's redirect URI or a page that is not a redirect. */
export async function walk(browser: Browser, start: URL): Promise<Stop> {
  let url = start;
  for (let hops = 0; hops < 12; hops++) {
    if (url.port === "9") return { at: "app", callback: url };
    const response = await browser.get(url);
    if (response.status >= 300 && response.status < 400) {
      url = locationOf(response, url);
      continue;
    }
    return { at: "page", url, status: response.status, html: await response.text() };
  }
  throw new Error("too many redirects");
}

/** Follows a POST's answer the same way. */
export async function walkFromPost(browser: Browser, response: Response, base: URL): Promise<Stop> {
  if (response.status >= 300 && response.status < 400)
    return walk(browser, locationOf(response, base));
  return { at: "page", url: base, status: response.status, html: await response.text() };
}

/** Starts the request and signs in; returns where that leads. */
export async function signInAndWalk(
  browser: Browser,
  url: URL,
  user: { userPrincipalName: string },
): Promise<Stop> {
  const first = await walk(browser, url);
  if (first.at !== "page") return first;
  if (!first.html.includes('name="password"')) return first;
  const { action, fields } = parseForm(first.html, first.url);
  const posted = await browser.post(action, {
    ...fields,
    username: user.userPrincipalName,
    password: PASSWORD,
  });
  return walkFromPost(browser, posted, action);
}

export function expectPage(stop: Stop): { url: URL; status: number; html: string } {
  if (stop.at !== "page") throw new Error(`expected a page, reached the app: ${stop.callback}`);
  return stop;
}

export function expectApp(stop: Stop): URL {
  if (stop.at !== "app")
    throw new Error(`expected the app, got page ${stop.status}: ${stop.html.slice(0, 400)}`);
  return stop.callback;
}

/** Submits the first form of a page with extra fields, optionally to another action path. */
export async function submit(
  browser: Browser,
  page: { url: URL; html: string },
  extra: Record<string, string> = {},
  actionSuffix?: string,
): Promise<Stop> {
  const { action, fields } = parseForm(page.html, page.url);
  const target = actionSuffix
    ? new URL(action.href.replace(/\/[a-z-]+$/, `/${actionSuffix}`))
    : action;
  const response = await browser.post(target, { ...fields, ...extra });
  return walkFromPost(browser, response, target);
}

/** Redeems a code at the token endpoint (public client, PKCE). */
export async function redeemCode(
  w: { issuer: string },
  app: Application,
  callback: URL,
  verifier: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const code = callback.searchParams.get("code");
  if (!code) throw new Error(`no code in ${callback}`);
  return postToken(w, {
    grant_type: "authorization_code",
    client_id: app.appId,
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT_URI,
  });
}

export async function postToken(
  w: { issuer: string },
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${w.issuer.replace(/\/v2\.0$/, "")}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The payload of a JWT, unverified (the OAuth tests verify signatures). */
export function claimsOf(jwt: unknown): Record<string, unknown> {
  const [, payload] = String(jwt).split(".");
  return JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as Record<string, unknown>;
}
