import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { PORTAL_DIST_DIR } from "../../src/identity/portal/index.ts";

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
