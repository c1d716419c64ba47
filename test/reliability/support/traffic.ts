import { createHash, randomBytes } from "node:crypto";
import { Browser, locationOf, parseForm } from "../../identity/oauth/support/browser.ts";
import { PASSWORD, REDIRECT_URI, type World } from "./world.ts";

/**
 * Every HTTP answer the suites get, classified: what a client saw during a fault. A request
 * that gets no answer within HUNG_MS counts as hung; a refused connection (the node is down)
 * as unreachable.
 */
export interface Seen {
  status: number;
  method: string;
  path: string;
  /** 5xx/4xx bodies: a stack trace leaked into the answer. */
  stackTrace: boolean;
  /** The error answer explains itself in words. */
  words: boolean;
  body: string;
}

const HUNG_MS = 45_000;
const nativeFetch = globalThis.fetch;
const STACK = /\n\s+at .+:\d+:\d+|at [\w.<>]+ \(\/.+:\d+:\d+\)/;

export class Recorder {
  readonly seen: Seen[] = [];
  hung = 0;
  unreachable = 0;
  readonly latencies: Array<{ at: number; ms: number }> = [];

  /** fetch, recorded. Never throws for an answer; throws (recorded) when there is none. */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const started = Date.now();
    let response: Response;
    try {
      response = await nativeFetch(url, { ...init, signal: AbortSignal.timeout(HUNG_MS) });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      if (e.name === "TimeoutError") this.hung++;
      else this.unreachable++;
      throw error;
    }
    const elapsed = Date.now() - started;
    this.latencies.push({ at: started, ms: elapsed });
    const target = new URL(url);
    const entry: Seen = {
      status: response.status,
      method: init.method ?? "GET",
      path: target.pathname,
      stackTrace: false,
      words: true,
      body: "",
    };
    if (response.status >= 400) {
      const text = await response.clone().text();
      entry.body = text.slice(0, 8000);
      entry.stackTrace = STACK.test(text);
      // An error answer says what happened: a JSON error with a message/description, or a page.
      entry.words = /[A-Za-z]{3,} [A-Za-z]{2,} [A-Za-z]{2,}/.test(text);
    }
    this.seen.push(entry);
    return response;
  }

  byStatus(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const s of this.seen) counts[s.status] = (counts[s.status] ?? 0) + 1;
    return counts;
  }
}

/**
 * Routes every fetch of this test process (the oauth support's Browser calls the global one)
 * through `recorder` until the returned function is called.
 */
export function installRecorder(recorder: Recorder): () => void {
  globalThis.fetch = ((url: string | URL, init?: RequestInit) =>
    recorder.fetch(url, init)) as typeof fetch;
  return () => {
    globalThis.fetch = nativeFetch;
  };
}

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}

export function authorizeUrl(base: string, w: World, challenge: string): URL {
  const url = new URL(`${w.tenantPath(base)}/oauth2/v2.0/authorize`);
  const params = {
    client_id: w.spa.appId,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: "openid offline_access api://assent-mail/Mail.Read",
    state: randomBytes(6).toString("hex"),
    code_challenge: challenge,
    code_challenge_method: "S256",
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url;
}

/** The sign-in page of a new authorization request: the browser, the form, the verifier. */
export async function openSignIn(base: string, w: World) {
  const browser = new Browser();
  const { verifier, challenge } = pkce();
  const start = authorizeUrl(base, w, challenge);
  const first = await browser.get(start);
  if (first.status < 300 || first.status >= 400)
    throw new Error(`authorize answered ${first.status}`);
  const interaction = locationOf(first, start);
  const page = await browser.get(interaction);
  if (page.status !== 200) throw new Error(`sign-in page answered ${page.status}`);
  const form = parseForm(await page.text(), interaction);
  return { browser, verifier, form };
}

/**
 * Submits the sign-in form (on whichever node `base` names: the flow's state lives in the
 * database) and follows redirects to the app; returns the code.
 */
export async function submitSignIn(
  started: Awaited<ReturnType<typeof openSignIn>>,
  base: string | undefined,
  username: string,
): Promise<string> {
  const { browser, form } = started;
  const action = base ? new URL(form.action.pathname + form.action.search, base) : form.action;
  const posted = await browser.post(action, { ...form.fields, username, password: PASSWORD });
  let url = locationOf(posted, action);
  for (let hops = 0; hops < 10; hops++) {
    if (url.port === "9") {
      const code = url.searchParams.get("code");
      if (!code) throw new Error(`no code: ${url.search}`);
      return code;
    }
    if (base) url = new URL(url.pathname + url.search, base);
    const response = await browser.get(url);
    if (response.status < 300 || response.status >= 400)
      throw new Error(
        `expected a redirect from ${url.pathname}, got ${response.status}: ${(await response.text())
          .replace(/<style[\s\S]*?<\/style>|<[^>]+>/g, " ")
          .replace(/\s+/g, " ")
          .slice(0, 400)}`,
      );
    url = locationOf(response, url);
  }
  throw new Error("too many redirects");
}

export async function redeem(
  recorder: Recorder,
  base: string,
  w: World,
  code: string,
  verifier: string,
): Promise<Record<string, unknown>> {
  const response = await recorder.fetch(`${w.tenantPath(base)}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: w.spa.appId,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT_URI,
    }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`token answered ${response.status}`);
  return body;
}

/** A whole authorization code flow with a password sign-in; resolves to the token response. */
export async function codeFlow(recorder: Recorder, base: string, w: World, username: string) {
  const started = await openSignIn(base, w);
  const code = await submitSignIn(started, undefined, username);
  return redeem(recorder, base, w, code, started.verifier);
}

/** A client credentials token request of the confidential client. */
export async function appToken(recorder: Recorder, base: string, w: World): Promise<string> {
  const basic = Buffer.from(
    `${encodeURIComponent(w.web.appId)}:${encodeURIComponent(w.webSecret)}`,
  ).toString("base64");
  const response = await recorder.fetch(`${w.tenantPath(base)}/oauth2/v2.0/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${basic}`,
    },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      scope: "api://assent-mail/.default",
    }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`token answered ${response.status}`);
  return String(body.access_token);
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
