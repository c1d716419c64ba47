import * as oidc from "openid-client";
import pino from "pino";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { createApplication } from "../../../src/identity/apps/index.ts";
import {
  type IdentityBackground,
  startIdentityBackground,
} from "../../../src/identity/background.ts";
import type { User } from "../../../src/identity/directory/index.ts";
import {
  type ConsentWorld,
  expectApp,
  expectPage,
  REDIRECT_URI,
  signInAndWalk,
  submit,
} from "../../identity/consent/support.ts";
import { Browser } from "../../identity/oauth/support/browser.ts";
import type { IdentityServer } from "../../identity/oauth/support/fixture.ts";
import type { TestDatabase } from "../../support/databases.ts";

/**
 * Assent Identity as an organisation's administrator uses it: the admin REST API with a
 * delegated token obtained through the real code flow, and Identity's outbox worker, which
 * delivers its signed `consent_request.*` webhooks (to Connect, in these tests).
 */

const ADMIN_SCOPE = [
  "openid",
  "api://assent-admin/ConsentRequest.ReadWrite.All",
  "api://assent-admin/Policy.ReadWrite.PermissionGrant",
  "api://assent-admin/DelegatedPermissionGrant.ReadWrite.All",
].join(" ");

export type AdminApi = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: any }>;

/**
 * The admin REST API of `w`'s tenant as `admin`: an admin tool registered in the tenant, the
 * administrator signing in and consenting to its Admin API permissions on the consent screen.
 */
export async function adminApiOf(
  t: TestDatabase,
  identity: IdentityServer,
  w: ConsentWorld,
  admin: User = w.admin,
): Promise<AdminApi> {
  const tool = await createApplication(
    t.database.db,
    w.tenant.id,
    { displayName: "Contoso Admin Tool", isPublicClient: true, redirectUris: [REDIRECT_URI] },
    CLI_ACTOR,
  );
  const config = await oidc.discovery(new URL(w.issuer), tool.appId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: ADMIN_SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
  });
  const browser = new Browser();
  const consent = expectPage(await signInAndWalk(browser, url, admin));
  const tokens = await oidc.authorizationCodeGrant(
    config,
    expectApp(await submit(browser, consent)),
    { pkceCodeVerifier: verifier, expectedState: state },
  );
  return async (method, path, body) => {
    const response = await fetch(`${identity.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** Identity's background worker with the consent workflow's jobs (webhooks to loopback). */
export function startIdentityWorker(t: TestDatabase, identity: IdentityServer): IdentityBackground {
  return startIdentityBackground({
    db: t.database.db,
    logger: pino({ level: "silent" }),
    smtp: undefined,
    pollMs: 50,
    consentRequests: {
      publicUrl: identity.baseUrl,
      keyRing: identity.keyRing,
      allowLoopbackWebhooks: true,
    },
  });
}
