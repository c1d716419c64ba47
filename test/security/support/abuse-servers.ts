import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import pino from "pino";
import { type Config, loadConfig } from "../../../src/config/index.ts";
import { createIdentityApp } from "../../../src/identity/app.ts";
import { KeyRing } from "../../../src/platform/crypto/index.ts";
import { locationOf, parseForm } from "../../identity/oauth/support/browser.ts";
import type { IdentityServer } from "../../identity/oauth/support/fixture.ts";
import type { TestDatabase } from "../../support/databases.ts";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * The Identity app on loopback like the OAuth fixture's, with extra environment (e.g.
 * ASSENT_TRUST_PROXY=true, so a test can speak from several client addresses through
 * X-Forwarded-For) and an optional change to the loaded configuration (e.g. `env: "production"`,
 * which loadConfig refuses without PostgreSQL and a secret key).
 */
export async function startIdentityWith(
  t: TestDatabase,
  env: Record<string, string> = {},
  patch: Partial<Config> = {},
): Promise<IdentityServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const loaded = loadConfig({
    ASSENT_IDENTITY_URL: baseUrl,
    ASSENT_SECRET_KEY: randomBytes(32).toString("base64"),
    LOG_LEVEL: "silent",
    ...env,
  });
  const config = { ...loaded, ...patch } as Config;
  const keyRing = new KeyRing([randomBytes(32)]);
  const app = await createIdentityApp({
    config,
    database: t.database,
    keyRing,
    logger: pino({ level: "silent" }),
  });
  await app.listen({ port, host: "127.0.0.1" });
  return { app, baseUrl, keyRing, close: () => app.close() };
}

/**
 * A cookie-keeping client that speaks from `ip` (X-Forwarded-For, honoured when the server
 * trusts its proxy): the attacker and the victim of the throttle tests.
 */
export class ClientAt {
  readonly #cookies = new Map<string, string>();
  constructor(readonly ip: string) {}

  #headers(extra: Record<string, string> = {}) {
    return {
      "x-forwarded-for": this.ip,
      accept: "text/html",
      cookie: [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      ...extra,
    };
  }

  #store(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const pair = header.split(";")[0] ?? "";
      const eq = pair.indexOf("=");
      if (eq < 1) continue;
      const value = pair.slice(eq + 1);
      if (value === "") this.#cookies.delete(pair.slice(0, eq));
      else this.#cookies.set(pair.slice(0, eq), value);
    }
  }

  async get(url: URL): Promise<Response> {
    const response = await fetch(url, { redirect: "manual", headers: this.#headers() });
    this.#store(response);
    return response;
  }

  async post(url: URL, form: Record<string, string>): Promise<Response> {
    const response = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: this.#headers({ "content-type": "application/x-www-form-urlencoded" }),
      body: new URLSearchParams(form),
    });
    this.#store(response);
    return response;
  }

  /**
   * Opens the sign-in page of `authorize` and submits the credentials: the answer to the form
   * (429 when throttled, 200 with an error when wrong, a redirect when right).
   */
  async trySignIn(authorize: URL, username: string, password: string): Promise<Response> {
    const interaction = locationOf(await this.get(authorize), authorize);
    const page = await this.get(interaction);
    const { action, fields } = parseForm(await page.text(), interaction);
    return this.post(action, { ...fields, username, password });
  }
}
