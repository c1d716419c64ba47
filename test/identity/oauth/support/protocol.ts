import { createHash, randomBytes } from "node:crypto";
import { Browser, signIn } from "./browser.ts";
import { PASSWORD, type Seeded } from "./fixture.ts";

export function pkcePair() {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}

/** An authorization URL of the tenant, with the given parameters over sensible defaults. */
export function authorizeUrl(s: Seeded, params: Record<string, string | undefined>): URL {
  const url = new URL(`${s.issuer.replace(/\/v2\.0$/, "")}/oauth2/v2.0/authorize`);
  const defaults = {
    client_id: s.spa.appId,
    response_type: "code",
    redirect_uri: s.redirectUri,
    scope: "openid offline_access",
    state: "st-1",
  };
  for (const [k, v] of Object.entries({ ...defaults, ...params }))
    if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

/** Signs the user in for the SPA and returns an authorization code and its PKCE verifier. */
export async function obtainCode(s: Seeded, scope = "openid offline_access") {
  const { verifier, challenge } = pkcePair();
  const callback = await signIn(
    new Browser(),
    authorizeUrl(s, { scope, code_challenge: challenge, code_challenge_method: "S256" }),
    { username: s.user.userPrincipalName, password: PASSWORD },
  );
  const code = callback.searchParams.get("code");
  if (!code) throw new Error(`no code: ${callback}`);
  return { code, verifier };
}

export function tokenEndpoint(s: Seeded): string {
  return `${s.issuer.replace(/\/v2\.0$/, "")}/oauth2/v2.0/token`;
}

/** POSTs a form to the token endpoint and returns status and parsed JSON. */
export async function postToken(
  s: Seeded,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(tokenEndpoint(s), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export function redeem(s: Seeded, code: string, verifier: string) {
  return postToken(s, {
    grant_type: "authorization_code",
    client_id: s.spa.appId,
    code,
    code_verifier: verifier,
    redirect_uri: s.redirectUri,
  });
}

export async function introspect(s: Seeded, token: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${s.issuer.replace(/\/v2\.0$/, "")}/oauth2/v2.0/introspect`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token, client_id: s.spa.appId }),
  });
  return (await response.json()) as Record<string, unknown>;
}

export function basic(clientId: string, secret: string): Record<string, string> {
  const value = `${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`;
  return { authorization: `Basic ${Buffer.from(value).toString("base64")}` };
}
