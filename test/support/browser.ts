import { existsSync } from "node:fs";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";

/**
 * A real Chromium for browser tests: Debian's `/usr/bin/chromium` (or `CHROMIUM_PATH`) driven by
 * playwright-core, headless, with no download of its own.
 *
 * When Chromium is not installed the browser tests FAIL if `CI` or `ASSENT_REQUIRE_BROWSER` is
 * set, and are skipped with a warning otherwise (`apt-get install chromium` to run them), as
 * the PostgreSQL variants are (test/support/databases.ts).
 *
 * @example
 * let browser: TestBrowser | undefined;
 * beforeAll(async () => { browser = await launchBrowser(); });
 * afterAll(() => browser?.close());
 * it("copies the details", async (ctx) => {
 *   if (!browser) return ctx.skip();
 *   const page = await browser.newPage({ javaScriptEnabled: false });
 *   await page.goto(url);
 * });
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The flags every run uses: no sandbox (containers), no GPU, no background traffic. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
];

const requireBrowser = Boolean(process.env.CI || process.env.ASSENT_REQUIRE_BROWSER);

export interface TestBrowser {
  /** The launched browser, for what the helpers below do not cover. */
  readonly browser: Browser;
  /**
   * A page in a context of its own (cookies, storage and permissions not shared with other
   * pages), with playwright's context options, e.g. `{ javaScriptEnabled: false }`. Closed
   * with the browser.
   */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** Closes every context and the browser. */
  close(): Promise<void>;
}

/**
 * Launches Chromium. Returns undefined (the caller skips) only when it is not installed outside
 * CI; in CI, or with ASSENT_REQUIRE_BROWSER, that throws. A Chromium that is installed but
 * fails to start always throws.
 */
export async function launchBrowser(): Promise<TestBrowser | undefined> {
  if (!existsSync(CHROMIUM_PATH)) {
    const message = `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
    if (requireBrowser) throw new Error(`${message}: browser tests are required here (CI)`);
    console.warn(`${message}: skipping the browser tests`);
    return undefined;
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    browser,
    async newPage(options) {
      const context = await browser.newContext(options);
      return context.newPage();
    },
    async close() {
      for (const context of browser.contexts()) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}
