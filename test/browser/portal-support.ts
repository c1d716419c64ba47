import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { AdminConsentRequestPolicy } from "../../src/identity/consent-requests/index.ts";
import { signingKeysOnTenantCreated } from "../../src/identity/keys/index.ts";
import { PORTAL_DIST_DIR } from "../../src/identity/portal/index.ts";
import { seedWorkflow, type Workflow } from "../identity/consent-requests/support.ts";
import { type IdentityServer, PASSWORD, startIdentity } from "../identity/oauth/support/fixture.ts";
import { launchBrowser, type TestBrowser } from "../support/browser.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";

/**
 * Helpers for the portal's browser tests: the built portal, the page's errors, axe-core, and
 * screenshots for docs/screenshots (only with ASSENT_SCREENSHOTS=1, so ordinary runs leave the
 * tracked images alone).
 */

/** Builds web/portal/dist when it is missing (`npm test` builds it first through `pretest`). */
export async function ensurePortalBuilt(): Promise<void> {
  if (existsSync(join(PORTAL_DIST_DIR, "index.html"))) return;
  const { build } = await import("vite");
  await build({ configFile: new URL("../../web/portal/vite.config.ts", import.meta.url).pathname });
}

/** Script errors and CSP violations the page reports (failed resource loads aside). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
      errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * Runs axe-core on the page and returns the serious and critical violations. axe is evaluated
 * through the DevTools protocol, which the page's Content-Security-Policy does not govern, so
 * the page keeps its real CSP while it is checked.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!axeSource) {
    const require = createRequire(import.meta.url);
    axeSource = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
  }
  await page.evaluate(`${axeSource}\n;0`);
  const result = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({ target: n.target })) })))",
  )) as AxeViolation[];
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Saves a screenshot to docs/screenshots/<name>.png when ASSENT_SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.ASSENT_SCREENSHOTS !== "1") return;
  const path = new URL(`../../docs/screenshots/${name}.png`, import.meta.url).pathname;
  await page.screenshot({ path, fullPage: true });
}

/** What a portal browser test runs against (see startPortalWorld). */
export interface PortalWorld {
  browser: TestBrowser;
  t: TestDatabase;
  server: IdentityServer;
  /** The consent-workflow tenant: its administrator, reader, users and policy. */
  w: Workflow;
  /** A page of the tenant's portal. */
  portal(path?: string): string;
  close(): Promise<void>;
}

/**
 * Chromium, the built portal, Identity listening on an embedded database, and the
 * consent-workflow tenant seeded (with signing keys). Undefined where there is no Chromium
 * (outside CI, where the browser tests are then skipped).
 *
 * @example
 * const world = await startPortalWorld("portal-forms");
 * if (!world) return;
 */
export async function startPortalWorld(
  slug: string,
  options: { policy?: Partial<AdminConsentRequestPolicy> } = {},
): Promise<PortalWorld | undefined> {
  const browser = await launchBrowser();
  if (!browser) return undefined;
  await ensurePortalBuilt();
  const t = (await openTestDatabase("pglite")) as TestDatabase;
  const server = await startIdentity(t);
  const w = await seedWorkflow(t, slug, {
    onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
    ...(options.policy ? { policy: options.policy } : {}),
  });
  return {
    browser,
    t,
    server,
    w,
    portal: (path = "") => `${server.baseUrl}/${w.tenant.id}/portal${path}`,
    async close() {
      await browser.close();
      await server.close();
      await t.close();
    },
  };
}

/** Signs in on Identity's sign-in page, where the portal sent the browser. */
export async function signInAs(page: Page, userPrincipalName: string, password = PASSWORD) {
  await page.fill('input[name="username"]', userPrincipalName);
  await page.fill('input[name="password"]', password);
  await page.click('button:text("Sign in")');
}

/** A call to the admin API with the portal's own token, from the page: what the API answers. */
export function portalApi<T = Record<string, unknown>>(
  page: Page,
  tenantId: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  return page.evaluate(
    async ([tenant, m, p, b]) => {
      const session = JSON.parse(sessionStorage.getItem(`assent.portal.token.${tenant}`) ?? "{}");
      const r = await fetch(p, {
        method: m,
        headers: {
          authorization: `Bearer ${session.accessToken}`,
          ...(b === undefined ? {} : { "content-type": "application/json" }),
        },
        body: b,
      });
      return await r.json();
    },
    [tenantId, method, path, body === undefined ? undefined : JSON.stringify(body)] as const,
  ) as Promise<T>;
}
