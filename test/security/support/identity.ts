import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  type Application,
  addClientSecret,
  createApplication,
} from "../../../src/identity/apps/index.ts";
import { type Browser, locationOf } from "../../identity/oauth/support/browser.ts";
import {
  grantTenantWide,
  type IdentityServer,
  type Seeded,
  seedTenant,
} from "../../identity/oauth/support/fixture.ts";
import type { TestDatabase } from "../../support/databases.ts";

/**
 * Shared fixtures of the security suites: the OAuth fixture's tenant plus a confidential web
 * app registered with one https redirect URI, so exact matching (RFC 9700 section 4.1.3) can be
 * probed without the loopback port leniency of RFC 8252 section 7.3.
 */
export const HTTPS_REDIRECT = "https://app.example.com/auth/callback";

export interface SecurityWorld extends Seeded {
  /** A confidential client whose only redirect URI is HTTPS_REDIRECT. */
  strict: Application;
  strictSecret: string;
}

export async function seedSecurityWorld(
  t: TestDatabase,
  server: IdentityServer,
  slug: string,
): Promise<SecurityWorld> {
  const s = await seedTenant(t, server, slug);
  const strict = await createApplication(
    t.database.db,
    s.tenant.id,
    { displayName: "Strict Web", redirectUris: [HTTPS_REDIRECT] },
    CLI_ACTOR,
  );
  await grantTenantWide(t, s.tenant.id, strict);
  const { secret } = await addClientSecret(
    t.database.db,
    s.tenant.id,
    strict.id,
    { displayName: "test" },
    CLI_ACTOR,
  );
  return { ...s, strict, strictSecret: secret };
}

/** The tenant's endpoint base (issuer without `/v2.0`). */
export function endpointBase(s: { issuer: string }): string {
  return s.issuer.replace(/\/v2\.0$/, "");
}

/** Follows redirects on the identity server until a page (not a redirect) or another origin. */
export async function followPage(
  browser: Browser,
  start: URL,
): Promise<{ url: URL; response: Response }> {
  let url = start;
  for (let hops = 0; hops < 12; hops++) {
    const response = await browser.get(url);
    if (response.status < 300 || response.status >= 400) return { url, response };
    const next = locationOf(response, url);
    if (next.origin !== start.origin) return { url: next, response };
    url = next;
  }
  throw new Error("too many redirects");
}
