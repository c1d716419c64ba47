import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Locator, Page } from "playwright-core";
import { DEMO_PASSWORD } from "../../../src/demo/seed.ts";

/** Git-ignored: where the scenario's screenshots are kept as test artifacts. */
export const ARTIFACTS_DIR = resolve(import.meta.dirname, "../../../test-results");

export type Screenshot = (page: Page, step: string) => Promise<void>;

/** Numbered full-page screenshots of one run, one per step a person sees. */
export function screenshots(run: string): Screenshot {
  const dir = join(ARTIFACTS_DIR, run);
  // A run's screenshots only: none left over from an earlier run with other steps.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let n = 0;
  return async (page, step) => {
    n += 1;
    await page.screenshot({
      path: join(dir, `${String(n).padStart(2, "0")}-${step}.png`),
      fullPage: true,
    });
  };
}

/** The text a person reads on the page (the `<body>`), spaces collapsed. */
export async function shownText(page: Page): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person reads
  return ((await page.locator("body").innerText()) ?? "").replace(/\s+/g, " ");
}

/** Waits until the page shows a heading with this text; returns the page's text. */
export async function expectHeading(page: Page, name: string | RegExp): Promise<string> {
  await page.getByRole("heading", { name }).first().waitFor({ timeout: 30_000 });
  return shownText(page);
}

/**
 * Identity's sign-in, when it is asked for (a session from earlier signs in without asking):
 * the user name may be filled in from the login hint; the password is the demo's.
 */
export async function signInIfAsked(page: Page, userPrincipalName: string): Promise<void> {
  await page.waitForLoadState();
  const password = page.locator('input[name="password"]');
  if ((await password.count()) === 0) return;
  const username = page.locator('input[name="username"]');
  if ((await username.inputValue()) === "") await username.fill(userPrincipalName);
  await password.fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForLoadState();
}

/**
 * Opens `address`'s mailbox on Mail's mailbox page until a message whose subject matches has
 * arrived (the outbox delivers over SMTP in the background; the wait is bounded so a lost
 * message fails), and returns that message's `<article>`.
 */
export async function openMail(
  page: Page,
  mailboxUrl: string,
  address: string,
  subject: RegExp,
  timeoutMs = 45_000,
): Promise<Locator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(`${mailboxUrl}?address=${encodeURIComponent(address)}`);
    const article = page.locator("article", {
      has: page.locator("h2", { hasText: subject }),
    });
    if ((await article.count()) > 0) return article.first();
    if (Date.now() > deadline)
      throw new Error(`no mail to ${address} matching ${subject}: ${await shownText(page)}`);
    await page.waitForTimeout(500);
  }
}

/** The text a person reads in one part of a page, spaces collapsed. */
export async function shownTextOf(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person reads
  return (await locator.innerText()).replace(/\s+/g, " ");
}
