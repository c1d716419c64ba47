import { sql } from "kysely";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  type Application,
  addClientSecret,
  assignAppRole,
  createApplication,
  findApplicationById,
  MAIL_APPLICATION_ID,
  requirePermission,
} from "../../../src/identity/apps/index.ts";
import { listDelegatedPermissionGrants } from "../../../src/identity/consent/index.ts";
import { createDirectory, type Tenant, type User } from "../../../src/identity/directory/index.ts";
import { signingKeysOnTenantCreated } from "../../../src/identity/keys/index.ts";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { parseForm } from "../oauth/support/browser.ts";
import { type IdentityServer, PASSWORD, startIdentity } from "../oauth/support/fixture.ts";
import { claimsOf } from "./support.ts";

/**
 * The first sign-ins of one user to an app the tenant has no grant for yet, many at once (the
 * benchmark's 16 concurrent code flows): every one must end the same way. Each flow sees the
 * consent screen and accepts it; whichever Accept writes the user's grant first, the others
 * find what they accept already granted and go on with a code — never AADSTS90093. Enterprise
 * apps created on first use (a sign-in) are created once; a client credentials request creates
 * none (another publisher's app must have one already).
 */

const REDIRECT_URI = "http://127.0.0.1:9/callback";
const CONCURRENT = 16;

/** A cookie jar per flow (the shared test Browser keys cookies by name only). */
class Jar {
  readonly cookies: Map<string, string>;
  constructor(cookies: Iterable<[string, string]> = []) {
    this.cookies = new Map(cookies);
  }
  #store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(";").map((s) => s.trim());
      const eq = pair?.indexOf("=") ?? -1;
      if (!pair || eq < 1) continue;
      const path = attributes.find((a) => a.toLowerCase().startsWith("path="))?.slice(5) ?? "/";
      const key = `${pair.slice(0, eq)}\t${path}`;
      const expired = attributes.some((a) => /^(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired || pair.length === eq + 1) this.cookies.delete(key);
      else this.cookies.set(key, pair.slice(eq + 1));
    }
  }
  #header(url: URL): string {
    return [...this.cookies.entries()]
      .filter(([key]) => url.pathname.startsWith(key.split("\t")[1] ?? "/"))
      .map(([key, value]) => `${key.split("\t")[0]}=${value}`)
      .join("; ");
  }
  async send(url: URL, form?: Record<string, string>): Promise<Response> {
    const response = await fetch(url, {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: {
        cookie: this.#header(url),
        accept: "text/html",
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(form ? { body: new URLSearchParams(form) } : {}),
    });
    this.#store(response);
    return response;
  }
  /** The session cookies only: a new tab of the same browser. */
  sessionCopy(): Jar {
    return new Jar([...this.cookies].filter(([key]) => !key.startsWith("_interaction")));
  }
}

type Stop = { at: "app"; callback: URL } | { at: "page"; url: URL; status: number; html: string };

async function follow(jar: Jar, start: URL, form?: Record<string, string>): Promise<Stop> {
  let url = start;
  let body = form;
  for (let hops = 0; hops < 12; hops++) {
    if (url.port === "9") return { at: "app", callback: url };
    const response = await jar.send(url, body);
    body = undefined;
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.arrayBuffer();
      url = new URL(location, url);
      continue;
    }
    return { at: "page", url, status: response.status, html: await response.text() };
  }
  throw new Error("too many redirects");
}

interface World {
  tenant: Tenant;
  user: User;
  app: Application;
  secret: string;
  base: string;
}

let counter = 0;

/** As bench/servers/assent.ts seeds, without its delegated permission grant. */
async function seed(t: TestDatabase, server: IdentityServer): Promise<World> {
  const { db } = t.database;
  const slug = `race-${++counter}`;
  const directory = createDirectory({
    database: t.database,
    onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
  });
  const tenant = await directory.tenants.create({ slug, displayName: "Race Ltd" }, CLI_ACTOR);
  const user = await directory.users.create(
    tenant.id,
    { userPrincipalName: `bench@${slug}.example`, displayName: "Bench User", password: PASSWORD },
    CLI_ACTOR,
  );
  const app = await createApplication(
    db,
    tenant.id,
    { displayName: "Bench client", redirectUris: [REDIRECT_URI] },
    CLI_ACTOR,
  );
  const { secret } = await addClientSecret(db, tenant.id, app.id, {}, CLI_ACTOR);
  const mail = await findApplicationById(db, MAIL_APPLICATION_ID);
  if (!mail) throw new Error("Assent Mail resource missing");
  await requirePermission(
    db,
    tenant.id,
    app.id,
    { resource: mail, value: "Mail.Read.All", type: "Role" },
    CLI_ACTOR,
  );
  await assignAppRole(
    db,
    tenant.id,
    {
      resourceApplicationId: mail.id,
      principalType: "ServicePrincipal",
      principalId: await servicePrincipalIdOf(t, tenant.id, app.id),
      roleValue: "Mail.Read.All",
    },
    CLI_ACTOR,
  );
  return { tenant, user, app, secret, base: `${server.baseUrl}/${tenant.id}/oauth2/v2.0` };
}

async function servicePrincipalIdOf(t: TestDatabase, tenantId: string, applicationId: string) {
  const row = await t.database.db
    .selectFrom("identity.service_principals")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("application_id", "=", applicationId)
    .executeTakeFirst();
  if (!row) throw new Error("no service principal");
  return row.id;
}

async function authorizeUrl(w: World, scope: string) {
  const verifier = oidc.randomPKCECodeVerifier();
  const url = new URL(`${w.base}/authorize`);
  const params = {
    client_id: w.app.appId,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope,
    state: "st",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { url, verifier };
}

async function postToken(w: World, form: Record<string, string>) {
  const response = await fetch(`${w.base}/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(w.app.appId)}:${encodeURIComponent(w.secret)}`).toString("base64")}`,
    },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const isConsentScreen = (stop: Stop) =>
  stop.at === "page" && stop.status === 200 && stop.html.includes('name="permissions"');

/** How a flow ended, in words the assertions compare: a code redeemed for an ID token, or why not. */
async function outcomeOf(w: World, stop: Stop, verifier: string): Promise<string> {
  if (stop.at === "page") {
    const code = /AST(\d+)/.exec(stop.html)?.[1] ?? "";
    return `page ${stop.status} ${code}`.trim();
  }
  const error = stop.callback.searchParams.get("error");
  if (error) return `error ${error} ${stop.callback.searchParams.get("error_codes") ?? ""}`;
  const tokens = await postToken(w, {
    grant_type: "authorization_code",
    code: stop.callback.searchParams.get("code") ?? "",
    code_verifier: verifier,
    redirect_uri: REDIRECT_URI,
  });
  if (tokens.status !== 200) return `token ${tokens.status} ${JSON.stringify(tokens.body)}`;
  return typeof claimsOf(tokens.body.id_token).sub === "string" ? "code" : "no id_token";
}

/** Clicks Accept (the consent screen's first form); answers the POST's response unfollowed. */
async function accept(jar: Jar, page: Stop): Promise<Response> {
  if (page.at !== "page") throw new Error("no consent screen");
  const { action, fields } = parseForm(page.html, page.url);
  return jar.send(action, fields);
}

/** A first sign-in with the password in a fresh browser, up to the screen it leads to. */
async function signInWithPassword(w: World, scope: string) {
  const jar = new Jar();
  const { url, verifier } = await authorizeUrl(w, scope);
  const login = await follow(jar, url);
  if (login.at !== "page" || !login.html.includes('name="password"'))
    throw new Error("expected the sign-in page");
  const form = parseForm(login.html, login.url);
  const stop = await follow(jar, form.action, {
    ...form.fields,
    username: w.user.userPrincipalName,
    password: PASSWORD,
  });
  return { jar, stop, verifier };
}

/** Accepts the consent screen, if that is where the flow stands, and follows on to the end. */
async function acceptAndFinish(
  w: World,
  flow: { jar: Jar; stop: Stop; verifier: string },
): Promise<string> {
  let { stop } = flow;
  if (isConsentScreen(stop) && stop.at === "page") {
    const { action, fields } = parseForm(stop.html, stop.url);
    stop = await follow(flow.jar, action, fields);
  }
  return outcomeOf(w, stop, flow.verifier);
}

/** Signs the user in once (the request stops at the consent screen) and keeps the session. */
async function signedInSession(w: World): Promise<Jar> {
  const jar = new Jar();
  const { url } = await authorizeUrl(w, "openid profile");
  const login = await follow(jar, url);
  if (login.at !== "page" || !login.html.includes('name="password"'))
    throw new Error("expected the sign-in page");
  const { action, fields } = parseForm(login.html, login.url);
  const after = await follow(jar, action, {
    ...fields,
    username: w.user.userPrincipalName,
    password: PASSWORD,
  });
  if (!isConsentScreen(after)) throw new Error("expected the consent screen after sign-in");
  return jar.sessionCopy();
}

async function expectOneUserGrant(t: TestDatabase, w: World): Promise<void> {
  const grants = await listDelegatedPermissionGrants(t.database.db, w.tenant.id);
  expect(grants).toHaveLength(1);
  expect(grants[0]).toMatchObject({ consentType: "Principal", principalId: w.user.id });
  expect([...(grants[0]?.scopes ?? [])].sort()).toEqual(["openid", "profile"]);
  const consents = await t.database.db
    .selectFrom("identity.audit_events")
    .select("id")
    .where("tenant_id", "=", w.tenant.id)
    .where("activity", "=", "Consent to application")
    .execute();
  // One event per Accept that granted something; at least the first, never more than there were.
  expect(consents.length).toBeGreaterThanOrEqual(1);
  expect(consents.length).toBeLessThanOrEqual(CONCURRENT);
}

describe.each(DATABASE_KINDS)("concurrent first consent on $name", ({ name }) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  beforeAll(async () => {
    t = await openTestDatabase(name);
    if (t) server = await startIdentity(t);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it(`${CONCURRENT} concurrent first password sign-ins of one user all get a code`, async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seed(t, server);
    const flows = await Promise.all(
      Array.from({ length: CONCURRENT }, () => signInWithPassword(w, "openid profile")),
    );
    expect(flows.map((f) => isConsentScreen(f.stop))).toEqual(Array(CONCURRENT).fill(true));
    // The benchmark's interleaving, made certain: one Accept writes the grant, then the others
    // (their screens drawn before it) are accepted, all at once.
    const [first, ...rest] = flows;
    if (!first) throw new Error("no flows");
    const outcomes = [
      await acceptAndFinish(w, first),
      ...(await Promise.all(rest.map((f) => acceptAndFinish(w, f)))),
    ];
    expect(outcomes).toEqual(Array(CONCURRENT).fill("code"));
    await expectOneUserGrant(t, w);
    // A later sign-in uses the grant: no screen.
    const again = await signInWithPassword(w, "openid profile");
    expect(await outcomeOf(w, again.stop, again.verifier)).toBe("code");
  });

  it(`${CONCURRENT} concurrent first password sign-ins, accepted at once, all get a code`, async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seed(t, server);
    const outcomes = await Promise.all(
      Array.from({ length: CONCURRENT }, async () =>
        acceptAndFinish(w, await signInWithPassword(w, "openid profile")),
      ),
    );
    expect(outcomes).toEqual(Array(CONCURRENT).fill("code"));
    await expectOneUserGrant(t, w);
  });

  it(`${CONCURRENT} concurrent requests in one signed-in browser all see the consent screen and all Accepts stand`, async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seed(t, server);
    const browser = await signedInSession(w);
    const requests = await Promise.all(
      Array.from({ length: CONCURRENT }, () => authorizeUrl(w, "openid profile")),
    );
    const screens = await Promise.all(requests.map((r) => follow(browser, r.url)));
    expect(screens.map(isConsentScreen)).toEqual(Array(CONCURRENT).fill(true));
    const [first, ...rest] = screens;
    if (!first) throw new Error("no screens");
    const accepted = [
      await accept(browser, first),
      ...(await Promise.all(rest.map((page) => accept(browser, page)))),
    ];
    const answers = await Promise.all(
      accepted.map(async (r) => `${r.status} ${r.status === 403 ? await r.text() : ""}`.trim()),
    );
    expect(answers.every((a) => a === "303" || a === "302")).toBe(true);
    await expectOneUserGrant(t, w);
    // Back in each tab, one after the other: oidc-provider renews the session cookie on every
    // resume, so tabs that resume at the same instant race on the cookie, not on consent.
    const outcomes: string[] = [];
    for (const [i, response] of accepted.entries()) {
      const stop = await follow(browser, new URL(response.headers.get("location") ?? "", w.base));
      outcomes.push(await outcomeOf(w, stop, requests[i]?.verifier ?? ""));
    }
    expect(outcomes).toEqual(Array(CONCURRENT).fill("code"));
  });

  it(`${CONCURRENT} concurrent first client credentials requests of another publisher's app are refused alike and create nothing`, async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const customer = await seed(t, server);
    const publisher = await seed(t, server);
    const app = await createApplication(
      db,
      publisher.tenant.id,
      {
        displayName: "Northwind Daemon",
        signInAudience: "AzureADMultipleOrgs",
        redirectUris: [REDIRECT_URI],
      },
      CLI_ACTOR,
    );
    const { secret } = await addClientSecret(db, publisher.tenant.id, app.id, {}, CLI_ACTOR);
    const daemon: World = { ...customer, app, secret };
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        const r = await postToken(daemon, {
          grant_type: "client_credentials",
          scope: "api://assent-mail/.default",
        });
        return `${r.status} ${String(r.body.error)} ${JSON.stringify(r.body.error_codes)}`;
      }),
    );
    // One answer for all: no enterprise app here, so no app-only token (Entra's 700016); never
    // a 500 or a conflict, and asking creates nothing in the customer's tenant.
    expect(answers).toEqual(Array(CONCURRENT).fill("400 unauthorized_client [700016]"));
    const sps = await db
      .selectFrom("identity.service_principals")
      .select("id")
      .where("tenant_id", "=", customer.tenant.id)
      .where("application_id", "=", app.id)
      .execute();
    const created = await db
      .selectFrom("identity.audit_events")
      .select("id")
      .where("tenant_id", "=", customer.tenant.id)
      .where("activity", "=", "Add service principal")
      .where(sql<boolean>`additional_details->>'appId' = ${app.appId}`)
      .execute();
    expect(sps).toHaveLength(0);
    expect(created).toHaveLength(0);
  });

  it(`${CONCURRENT} concurrent first sign-ins to a multi-tenant app all get the same screen and create one enterprise app`, async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const customer = await seed(t, server);
    const publisher = await seed(t, server);
    const app = await createApplication(
      db,
      publisher.tenant.id,
      {
        displayName: "Northwind CRM",
        signInAudience: "AzureADMultipleOrgs",
        redirectUris: [REDIRECT_URI],
      },
      CLI_ACTOR,
    );
    const crm: World = { ...customer, app };
    const screens = await Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        const { stop } = await signInWithPassword(crm, "openid profile");
        if (stop.at !== "page") return "app";
        return `${stop.status} ${/<h1[^>]*>([^<]*)</.exec(stop.html)?.[1] ?? ""}`;
      }),
    );
    // Unverified publisher, default settings: "Need admin approval" for every one of them.
    expect(screens).toEqual(Array(CONCURRENT).fill("200 Need admin approval"));
    const sps = await db
      .selectFrom("identity.service_principals")
      .select("id")
      .where("tenant_id", "=", customer.tenant.id)
      .where("application_id", "=", app.id)
      .execute();
    expect(sps).toHaveLength(1);
    const created = await db
      .selectFrom("identity.audit_events")
      .select("id")
      .where("tenant_id", "=", customer.tenant.id)
      .where("activity", "=", "Add service principal")
      .where(sql<boolean>`additional_details->>'appId' = ${app.appId}`)
      .execute();
    expect(created).toHaveLength(1);
  });
});
