import { sql } from "kysely";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  ADMIN_APPLICATION_ID,
  type Application,
  createApplication,
  MAIL_APPLICATION_ID,
} from "../../../src/identity/apps/index.ts";
import { grantDelegatedPermissions } from "../../../src/identity/consent/index.ts";
import { createWebhookEndpoint } from "../../../src/identity/consent-requests/index.ts";
import type { User } from "../../../src/identity/directory/index.ts";
import { signingKeysOnTenantCreated } from "../../../src/identity/keys/index.ts";
import { seedWorkflow, type Workflow } from "../../identity/consent-requests/support.ts";
import { Browser } from "../../identity/oauth/support/browser.ts";
import type { TestDatabase } from "../../support/databases.ts";
import { authorizeUrl, submitSignIn } from "./traffic.ts";
import { keyRingOf, REDIRECT_URI, type World } from "./world.ts";

/**
 * The admin consent workflow's world for the delivery suites: `seedWorkflow`'s tenant (a
 * requester, reviewers, a multi-tenant app wanting the tenant's mail) with signing keys, more
 * apps to ask for, a webhook endpoint, and an admin tool whose delegated Admin API token a
 * reviewer gets through the real code flow.
 */
export interface DeliveryWorld extends Workflow {
  apps: Application[];
  adminTool: Application;
}

export async function seedDeliveryWorld(
  t: TestDatabase,
  key: string,
  slug: string,
  options: { apps: number; webhookUrl: string },
): Promise<DeliveryWorld> {
  const keyRing = keyRingOf(key);
  const w = await seedWorkflow(t, slug, { onTenantCreated: [signingKeysOnTenantCreated(keyRing)] });
  const apps = [w.app];
  for (let i = 1; i < options.apps; i++)
    apps.push(
      await createApplication(
        t.database.db,
        w.publisher.id,
        {
          displayName: `Northwind App ${i}`,
          isPublicClient: true,
          signInAudience: "AzureADMultipleOrgs",
          redirectUris: [REDIRECT_URI],
        },
        CLI_ACTOR,
      ),
    );
  await createWebhookEndpoint(
    t.database.db,
    keyRing,
    w.tenant.id,
    {
      url: options.webhookUrl,
      eventTypes: ["consent_request.created", "consent_request.approved"],
    },
    CLI_ACTOR,
    { allowLoopback: true },
  );
  const adminTool = await createApplication(
    t.database.db,
    w.tenant.id,
    { displayName: "Contoso Admin Tool", isPublicClient: true, redirectUris: [REDIRECT_URI] },
    CLI_ACTOR,
  );
  for (const [resourceApplicationId, scopes] of [
    [ADMIN_APPLICATION_ID, ["ConsentRequest.ReadWrite.All"]],
    [MAIL_APPLICATION_ID, ["openid"]],
  ] as const)
    await grantDelegatedPermissions(
      t.database.db,
      w.tenant.id,
      {
        clientApplicationId: adminTool.id,
        resourceApplicationId,
        scopes: [...scopes],
        consentType: "AllPrincipals",
      },
      CLI_ACTOR,
    );
  return { ...w, apps, adminTool };
}

/** A delegated Admin API access token of `user`, through the code flow on `base`. */
export async function adminToken(base: string, w: DeliveryWorld, user: User): Promise<string> {
  const world = {
    spa: w.adminTool,
    tenantPath: (b: string) => `${b}/${w.tenant.id}`,
  } as unknown as World;
  const { createHash, randomBytes } = await import("node:crypto");
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const start = authorizeUrl(base, world, challenge);
  start.searchParams.set("scope", "openid api://assent-admin/ConsentRequest.ReadWrite.All");
  const browser = new Browser();
  const first = await browser.get(start);
  const interaction = new URL(first.headers.get("location") ?? "", start);
  const page = await browser.get(interaction);
  const html = await page.text();
  const { parseForm } = await import("../../identity/oauth/support/browser.ts");
  const code = await submitSignIn(
    { browser, verifier, form: parseForm(html, interaction) },
    undefined,
    user.userPrincipalName,
  );
  const response = await fetch(`${base}/${w.tenant.id}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: w.adminTool.appId,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT_URI,
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no admin token: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** Outbox delivery jobs (email and webhook) of the tenant. */
export async function deliveryJobs(t: TestDatabase, tenantId: string) {
  const r = await sql<{
    id: string;
    kind: string;
    attempts: number;
    completed_at: Date | null;
    dead_at: Date | null;
    last_error: string | null;
  }>`select id, kind, attempts, completed_at, dead_at, last_error from identity.outbox
      where tenant_id = ${tenantId} and kind in ('email.send', 'webhook.deliver')
      order by created_at, id`.execute(t.database.db);
  return r.rows;
}
