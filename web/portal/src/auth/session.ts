import { CALLBACK_PATH, CLIENT_ID, SCOPE } from "./config.ts";
import { challengeOf, claimsOf, randomToken } from "./pkce.ts";

/**
 * Sign-in with the authorization code flow and PKCE (the protocol is oidc-provider's, at the
 * tenant's Entra-shaped endpoints). The access token lives in sessionStorage, per tenant: it
 * is gone when the tab closes, and a new tab signs in again silently through the issuer's own
 * session cookie.
 */

export interface Session {
  tenant: string;
  accessToken: string;
  expiresAt: number;
  userName: string;
  userPrincipalName: string;
}

interface Pending {
  tenant: string;
  verifier: string;
  returnTo: string;
}

const tokenKey = (tenant: string) => `assent.portal.token.${tenant}`;
const pendingKey = (state: string) => `assent.portal.signin.${state}`;
// A minute of slack: a token about to expire is not worth a failed call.
const SLACK_MS = 60_000;

export function currentSession(tenant: string): Session | undefined {
  const raw = sessionStorage.getItem(tokenKey(tenant));
  if (!raw) return undefined;
  const session = JSON.parse(raw) as Session;
  return session.expiresAt - SLACK_MS > Date.now() ? session : undefined;
}

/** Leaves for the issuer's sign-in page; the callback returns to `returnTo`. */
export async function startSignIn(tenant: string, returnTo: string): Promise<void> {
  const verifier = randomToken();
  const state = randomToken();
  const pending: Pending = { tenant, verifier, returnTo };
  sessionStorage.setItem(pendingKey(state), JSON.stringify(pending));
  const url = new URL(`/${encodeURIComponent(tenant)}/oauth2/v2.0/authorize`, location.origin);
  url.search = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: "code",
    redirect_uri: location.origin + CALLBACK_PATH,
    scope: SCOPE,
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
  }).toString();
  location.assign(url.toString());
}

export class SignInError extends Error {
  constructor(
    message: string,
    readonly tenant: string | undefined,
    readonly returnTo: string | undefined,
  ) {
    super(message);
  }
}

/** Handles `/portal/callback`: redeems the code, stores the session, returns where to go. */
export async function completeSignIn(search: string): Promise<string> {
  const params = new URLSearchParams(search);
  const state = params.get("state") ?? "";
  const raw = state ? sessionStorage.getItem(pendingKey(state)) : null;
  if (!raw)
    throw new SignInError(
      "This sign-in was not started in this browser tab, or it was already completed.",
      undefined,
      undefined,
    );
  sessionStorage.removeItem(pendingKey(state));
  const pending = JSON.parse(raw) as Pending;
  const error = params.get("error");
  if (error)
    throw new SignInError(
      params.get("error_description") ?? error,
      pending.tenant,
      pending.returnTo,
    );
  const response = await fetch(`/${encodeURIComponent(pending.tenant)}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: CLIENT_ID,
      code: params.get("code") ?? "",
      redirect_uri: location.origin + CALLBACK_PATH,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== "string")
    throw new SignInError(
      String(
        body.error_description ?? body.error ?? `The token request failed (${response.status}).`,
      ),
      pending.tenant,
      pending.returnTo,
    );
  const claims = typeof body.id_token === "string" ? claimsOf(body.id_token) : {};
  const session: Session = {
    tenant: pending.tenant,
    accessToken: body.access_token,
    expiresAt: Date.now() + Number(body.expires_in ?? 3600) * 1000,
    userName: String(claims.name ?? claims.preferred_username ?? ""),
    userPrincipalName: String(claims.preferred_username ?? ""),
  };
  sessionStorage.setItem(tokenKey(pending.tenant), JSON.stringify(session));
  return pending.returnTo;
}

/** Forgets the token and ends the issuer's session. */
export function signOut(tenant: string): void {
  sessionStorage.removeItem(tokenKey(tenant));
  location.assign(`/${encodeURIComponent(tenant)}/oauth2/v2.0/logout?client_id=${CLIENT_ID}`);
}
