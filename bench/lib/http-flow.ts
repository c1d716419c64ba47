import { createHash, randomBytes } from "node:crypto";

/** What a system under test tells the harness about itself (printed as `READY <json>`). */
export interface SystemDescriptor {
  system: string;
  /** The system's base URL (Assent: its public URL, the proxy's in the scale-out). */
  base?: string;
  /** Assent: the bench tenant, and its listening port (which differs from base behind a proxy). */
  tenantId?: string;
  port?: number;
  /** The Mail service trusting this Identity (the Mail API scenario). */
  mailUrl?: string;
  tokenEndpoint: string;
  authorizationEndpoint: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  clientCredentialsParams: Record<string, string>;
  authorizeScope: string;
  /** Extra authorization parameters for every flow (better-auth: the `resource` indicator). */
  authorizeExtra?: Record<string, string>;
  /** RFC 7662 introspection and OIDC userinfo, when the system offers them. */
  introspectionEndpoint?: string;
  userinfoEndpoint?: string;
  /** The raw argon2id system: one POST is one verify (the password flow's bound). */
  argon2VerifyUrl?: string;
  /** Scope of a flow whose access token is for userinfo (no API resource). */
  userinfoScope?: string;
  /**
   * Extra authorization parameters for the flow that must yield a refresh token. A bare
   * oidc-provider drops offline_access unless prompt=consent is sent (its reading of OIDC Core
   * section 11); Assent does not need it, as Entra does not.
   */
  refreshTokenParams?: Record<string, string>;
  login:
    | { kind: "auto" }
    | {
        /**
         * better-auth: `/authorize` answers `{redirect, url}` to its login page; the app signs in
         * through the JSON API, passing the login page's signed query as `oauth_query`, and is
         * answered with the next URL (the client's redirect with a code).
         */
        kind: "json";
        loginPath: string;
        signInUrl: string;
        username: string;
        password: string;
      }
    | {
        kind: "form";
        username: string;
        password: string;
        usernameField: string;
        passwordField: string;
      };
}

/** A tiny cookie jar: one host per system, so names suffice. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === "") this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

export async function get(url: string, jar: CookieJar): Promise<Response> {
  const response = await fetch(url, { redirect: "manual", headers: { cookie: jar.header() } });
  jar.store(response);
  return response;
}

export async function postJson(
  url: string,
  body: Record<string, unknown>,
  jar: CookieJar,
): Promise<Response> {
  const response = await fetch(url, {
    method: "POST",
    redirect: "manual",
    // A browser's fetch sends its page's origin; better-auth refuses cookie requests without.
    headers: {
      "content-type": "application/json",
      cookie: jar.header(),
      origin: new URL(url).origin,
    },
    body: JSON.stringify(body),
  });
  jar.store(response);
  return response;
}

export async function postForm(
  url: string,
  form: Record<string, string>,
  jar?: CookieJar,
  auth?: string,
): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (jar) headers.cookie = jar.header();
  if (auth) headers.authorization = auth;
  const response = await fetch(url, {
    method: "POST",
    redirect: "manual",
    headers,
    body: new URLSearchParams(form),
  });
  jar?.store(response);
  return response;
}

export function basicAuth(d: SystemDescriptor): string {
  const enc = (s: string) => encodeURIComponent(s);
  return `Basic ${Buffer.from(`${enc(d.clientId)}:${enc(d.clientSecret)}`).toString("base64")}`;
}

export function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export function authorizeUrl(
  d: SystemDescriptor,
  challenge: string,
  extra: Record<string, string> = {},
): string {
  const url = new URL(d.authorizationEndpoint);
  url.search = new URLSearchParams({
    client_id: d.clientId,
    response_type: "code",
    redirect_uri: d.redirectUri,
    scope: d.authorizeScope,
    state: randomBytes(8).toString("hex"),
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...d.authorizeExtra,
    ...extra,
  }).toString();
  return url.toString();
}

function absolute(location: string, from: string): string {
  return new URL(location, from).toString();
}

function codeFrom(location: string): string {
  const params = new URL(location).searchParams;
  const code = params.get("code");
  if (!code) throw new Error(`no code: ${params.get("error")} ${params.get("error_description")}`);
  return code;
}

/** A JSON redirect to better-auth's login page signs in there; any other is followed as is. */
async function followJsonRedirect(d: SystemDescriptor, jar: CookieJar, next: string) {
  if (d.login.kind !== "json" || new URL(next).pathname !== d.login.loginPath) return next;
  const response = await postJson(
    d.login.signInUrl,
    {
      email: d.login.username,
      password: d.login.password,
      oauth_query: new URL(next).search.slice(1),
    },
    jar,
  );
  const body = (await response.json()) as { redirect?: boolean; url?: string };
  if (response.status !== 200 || !body.url)
    throw new Error(`sign-in ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return absolute(body.url, next);
}

function parseForm(html: string): { action: string | undefined; hidden: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/i.exec(html)?.[1]?.replaceAll("&amp;", "&");
  const hidden: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*>/gi)) {
    const tag = m[0];
    if (!/type="hidden"/i.test(tag)) continue;
    const name = /name="([^"]+)"/i.exec(tag)?.[1];
    const value = /value="([^"]*)"/i.exec(tag)?.[1] ?? "";
    if (name) hidden[name] = value.replaceAll("&amp;", "&").replaceAll("&quot;", '"');
  }
  return { action, hidden };
}

/**
 * Runs the authorization endpoint until it redirects to the client with a code, signing in
 * through whatever the system shows (its real sign-in form, or the bare peer's auto-login).
 */
export async function authorizeForCode(
  d: SystemDescriptor,
  jar: CookieJar,
  challenge: string,
  extra: Record<string, string> = {},
): Promise<string> {
  let url = authorizeUrl(d, challenge, extra);
  for (let hop = 0; hop < 10; hop++) {
    const response = await get(url, jar);
    if (response.status >= 300 && response.status < 400) {
      const location = absolute(response.headers.get("location") ?? "", url);
      await response.arrayBuffer();
      if (location.startsWith(d.redirectUri)) return codeFrom(location);
      url = await followJsonRedirect(d, jar, location);
      if (url.startsWith(d.redirectUri)) return codeFrom(url);
      continue;
    }
    const html = await response.text();
    if (response.status === 200 && html.startsWith("{")) {
      // better-auth answers a non-browser request with the redirect in JSON.
      const next = JSON.parse(html) as { redirect?: boolean; url?: string };
      if (next.redirect && next.url) {
        url = await followJsonRedirect(d, jar, absolute(next.url, url));
        if (url.startsWith(d.redirectUri)) return codeFrom(url);
        continue;
      }
    }
    if (response.status !== 200 || d.login.kind !== "form")
      throw new Error(`unexpected ${response.status} at ${url}: ${html.slice(0, 300)}`);
    const form = parseForm(html);
    if (!form.action) throw new Error(`no form at ${url}`);
    const posted = await postForm(
      absolute(form.action, url),
      {
        ...form.hidden,
        [d.login.usernameField]: d.login.username,
        [d.login.passwordField]: d.login.password,
      },
      jar,
    );
    const page = await posted.text();
    const next = posted.headers.get("location");
    if (!next)
      throw new Error(
        `sign-in did not redirect (${posted.status}): ${page
          .replace(/<style[^<]*<\/style>/g, "")
          .replace(/<[^>]*>/g, " ")
          .replace(/\s+/g, " ")
          .slice(0, 300)}`,
      );
    url = absolute(next, url);
  }
  throw new Error("too many redirects");
}

export async function exchangeCode(d: SystemDescriptor, code: string, verifier: string) {
  const response = await postForm(
    d.tokenEndpoint,
    {
      grant_type: "authorization_code",
      code,
      redirect_uri: d.redirectUri,
      code_verifier: verifier,
    },
    undefined,
    basicAuth(d),
  );
  const body = (await response.json()) as Record<string, string>;
  if (response.status !== 200) throw new Error(`token ${response.status}: ${JSON.stringify(body)}`);
  return body;
}
