/**
 * A minimal browser for driving the sign-in flow over real HTTP: a cookie jar (name, value,
 * path) and manual redirects, so each hop can be inspected.
 */
export class Browser {
  readonly #cookies = new Map<string, { value: string; path: string }>();

  cookieHeader(url: URL): string {
    return [...this.#cookies.entries()]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join("; ");
  }

  #store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(";").map((s) => s.trim());
      const eq = pair?.indexOf("=") ?? -1;
      if (!pair || eq < 1) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attributes.find((a) => a.toLowerCase().startsWith("path="))?.slice(5) ?? "/";
      const expired = attributes.some(
        (a) =>
          a.toLowerCase() === "max-age=0" || a.toLowerCase().startsWith("expires=thu, 01 jan 1970"),
      );
      if (expired || value === "") this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path });
    }
  }

  hasCookie(prefix: string): boolean {
    return [...this.#cookies.keys()].some((n) => n.startsWith(prefix));
  }

  async get(url: string | URL): Promise<Response> {
    const target = new URL(url);
    const response = await fetch(target, {
      redirect: "manual",
      headers: { cookie: this.cookieHeader(target), accept: "text/html" },
    });
    this.#store(response);
    return response;
  }

  async post(url: string | URL, form: Record<string, string>): Promise<Response> {
    const target = new URL(url);
    const response = await fetch(target, {
      method: "POST",
      redirect: "manual",
      headers: {
        cookie: this.cookieHeader(target),
        "content-type": "application/x-www-form-urlencoded",
        accept: "text/html",
      },
      body: new URLSearchParams(form),
    });
    this.#store(response);
    return response;
  }
}

/** The location a redirect points to, resolved against the request URL. */
export function locationOf(response: Response, base: string | URL): URL {
  const location = response.headers.get("location");
  if (!location) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(location, base);
}

/** The hidden inputs and action of the first form in a page. */
export function parseForm(
  html: string,
  base: string | URL,
): { action: URL; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]+)"/.exec(html);
  if (!form?.[1]) throw new Error("no form in page");
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g))
    fields[m[1] as string] = decodeEntities(m[2] as string);
  return { action: new URL(decodeEntities(form[1]), base), fields };
}

function decodeEntities(s: string): string {
  return s
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");
}

/**
 * Follows an authorization request through the sign-in page to the app's redirect URI and
 * returns that final URL (with code or error).
 */
export async function signIn(
  browser: Browser,
  authorizeUrl: URL,
  credentials: { username: string; password: string },
): Promise<URL> {
  const first = await browser.get(authorizeUrl);
  const interaction = locationOf(first, authorizeUrl);
  const page = await browser.get(interaction);
  if (page.status !== 200) throw new Error(`sign-in page answered ${page.status}`);
  const { action, fields } = parseForm(await page.text(), interaction);
  const posted = await browser.post(action, { ...fields, ...credentials });
  return followToApp(browser, locationOf(posted, action));
}

/** Follows redirects until one leaves the identity server (the app's redirect URI). */
export async function followToApp(browser: Browser, start: URL): Promise<URL> {
  let url = start;
  for (let hops = 0; hops < 10; hops++) {
    if (url.port === "9") return url;
    const response = await browser.get(url);
    if (response.status < 300 || response.status >= 400)
      throw new Error(
        `expected a redirect from ${url.pathname}, got ${response.status}: ${(await response.text()).slice(0, 300)}`,
      );
    url = locationOf(response, url);
  }
  throw new Error("too many redirects");
}
