import type { DemoSeed } from "./seed.ts";
import { DEMO_PASSWORD } from "./world.ts";

/** The URLs of a running `assent start` the demo lines point at. */
export interface DemoUrls {
  identity?: string | undefined;
  mailbox?: string | undefined;
  demo?: string | undefined;
}

/**
 * The demo part of `assent start`'s banner: tenants, users and their password, the demo app's
 * Connect credentials (demo secrets, printed on purpose and nowhere else), and the three-line
 * walkthrough of the admin approval scenario.
 */
export function demoBannerLines(demo: DemoSeed | undefined, urls: DemoUrls): string[] {
  if (!demo || !urls.identity) return [];
  const contoso = demo.tenants.find((t) => t.slug === "contoso");
  const mailbox = (address: string) =>
    urls.mailbox ? `${urls.mailbox}?address=${address}` : `${address}'s mailbox`;
  return [
    "",
    demo.created ? "Demo data created:" : "Demo data:",
    ...demo.tenants.map(
      (t) => `  Tenant ${t.displayName} (${t.slug})  issuer ${urls.identity}/${t.id}/v2.0`,
    ),
    ...demo.users.map((u) => `  ${u.upn.padEnd(24)} ${u.role}`),
    `  Password for every demo user: ${DEMO_PASSWORD}`,
    ...(contoso
      ? [
          `  Discovery: ${urls.identity}/contoso/v2.0/.well-known/openid-configuration`,
          `  Contoso's admin portal: ${urls.identity}/${contoso.id}/portal/`,
        ]
      : []),
    `  Demo app "Northwind CRM" client id: ${demo.demoAppId}`,
    ...(demo.crm
      ? [
          `  Its Connect application: client id ${demo.crm.applicationId}, API key ${demo.crm.apiKey} (demo only)`,
        ]
      : ["  Northwind CRM is not wired to Connect (its registration is gone): start with --reset"]),
    ...(urls.demo
      ? [
          "",
          "Try this:",
          `  1. Open ${urls.demo} as megan@contoso.com, select Connect your mailbox, write why and select Request approval.`,
          `  2. As admin@contoso.com (in a private window), read ${mailbox("admin@contoso.com")}, follow Review request into the admin portal and approve for Sales; Megan's approval email (${mailbox("megan@contoso.com")}) has Try again.`,
          "  3. Then in the portal: Northwind CRM > Permissions > Grant admin consent, Assignment required, assign Sales and Diego; Nestor is refused, and Sign-in logs show why (README: Try this).",
        ]
      : []),
  ];
}
