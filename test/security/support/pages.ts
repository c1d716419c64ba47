import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { updateAdminConsentRequestPolicy } from "../../../src/identity/consent-requests/index.ts";
import { type ConsentWorld, seedWorld } from "../../identity/consent/support.ts";
import type { IdentityServer } from "../../identity/oauth/support/fixture.ts";
import type { TestDatabase } from "../../support/databases.ts";

/**
 * A consent world (test/identity/consent/support.ts) with the admin consent workflow on and
 * the Global Administrator as reviewer, so every end-user page can be reached: sign-in,
 * consent (home app), approval required and request sent (foreign app), the status page.
 */
export async function seedPagesWorld(
  t: TestDatabase,
  server: IdentityServer,
  slug: string,
): Promise<ConsentWorld> {
  const w = await seedWorld(t, server, slug);
  await updateAdminConsentRequestPolicy(
    t.database.db,
    w.tenant.id,
    { isEnabled: true, reviewers: [{ type: "user", id: w.admin.id }] },
    CLI_ACTOR,
  );
  return w;
}

/** The header checks every HTML page must pass: no framing, no Referer, HTML. */
export function frameAndReferrerProblems(response: Response): string[] {
  const problems: string[] = [];
  const csp = response.headers.get("content-security-policy") ?? "";
  if (!/frame-ancestors 'none'/.test(csp))
    problems.push(`CSP without frame-ancestors 'none': ${csp}`);
  const xfo = (response.headers.get("x-frame-options") ?? "").toUpperCase();
  if (xfo !== "DENY") problems.push(`X-Frame-Options is "${xfo}", not DENY`);
  const referrer = response.headers.get("referrer-policy") ?? "";
  if (!/^(no-referrer|same-origin|strict-origin)/.test(referrer))
    problems.push(`Referrer-Policy is "${referrer}"`);
  if (response.headers.get("x-content-type-options") !== "nosniff")
    problems.push("no X-Content-Type-Options: nosniff");
  return problems;
}
