import { randomBytes } from "node:crypto";
import pino from "pino";
import { loadConfig } from "../../../src/config/index.ts";
import { createIdentityApp } from "../../../src/identity/app.ts";
import { KeyRing } from "../../../src/platform/crypto/index.ts";
import type { IdentityServer } from "../../identity/oauth/support/fixture.ts";
import type { TestDatabase } from "../../support/databases.ts";

/**
 * Identity published at a public URL other than the loopback address it listens on, as behind
 * a TLS-terminating proxy, and a browser that talks to it through that "proxy": each request
 * goes to the listener with Host and X-Forwarded-Proto of the public URL. Every Set-Cookie
 * header it receives is kept, to check the cookies' attributes.
 */
export async function startIdentityBehindProxy(
  t: TestDatabase,
  env: { publicUrl: string; trustProxy: boolean },
): Promise<IdentityServer & { localUrl: string }> {
  const keyRing = new KeyRing([randomBytes(32)]);
  const config = loadConfig({
    ASSENT_IDENTITY_URL: env.publicUrl,
    ASSENT_TRUST_PROXY: String(env.trustProxy),
    ASSENT_SECRET_KEY: randomBytes(32).toString("base64"),
    LOG_LEVEL: "silent",
  });
  const app = await createIdentityApp({
    config,
    database: t.database,
    keyRing,
    logger: pino({ level: "silent" }),
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    app,
    baseUrl: env.publicUrl,
    localUrl: `http://127.0.0.1:${port}`,
    keyRing,
    close: () => app.close(),
  };
}

export class ProxiedBrowser {
  readonly #cookies = new Map<string, string>();
  /** Every Set-Cookie header received, in order. */
  readonly setCookies: string[] = [];

  constructor(
    readonly publicUrl: string,
    readonly localUrl: string,
  ) {}

  async request(url: URL, init: { method?: string; form?: Record<string, string> } = {}) {
    const publicOrigin = new URL(this.publicUrl);
    const local = new URL(`${url.pathname}${url.search}`, this.localUrl);
    const headers: Record<string, string> = {
      host: publicOrigin.host,
      "x-forwarded-proto": publicOrigin.protocol.replace(":", ""),
      "x-forwarded-for": "203.0.113.7",
      accept: "text/html",
      cookie: [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; "),
    };
    if (init.form) headers["content-type"] = "application/x-www-form-urlencoded";
    const response = await fetch(local, {
      method: init.method ?? "GET",
      redirect: "manual",
      headers,
      ...(init.form ? { body: new URLSearchParams(init.form) } : {}),
    });
    for (const header of response.headers.getSetCookie()) {
      this.setCookies.push(header);
      const pair = header.split(";")[0] ?? "";
      const eq = pair.indexOf("=");
      if (eq > 0) this.#cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  }
}

/** The attributes of a Set-Cookie header, lower-cased names (`secure`, `httponly`, `samesite`). */
export function cookieAttributes(header: string): { name: string; attrs: Map<string, string> } {
  const [pair, ...rest] = header.split(";").map((s) => s.trim());
  const attrs = new Map<string, string>();
  for (const a of rest) {
    const eq = a.indexOf("=");
    attrs.set((eq < 0 ? a : a.slice(0, eq)).toLowerCase(), eq < 0 ? "" : a.slice(eq + 1));
  }
  return { name: (pair ?? "").split("=")[0] ?? "", attrs };
}
