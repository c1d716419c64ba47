import type { Transaction } from "kysely";
import type { Config } from "../config/index.ts";
import {
  type Application,
  addRedirectUri,
  listApplications,
  updateApplication,
} from "../identity/apps/index.ts";
import {
  getAdminConsentRequestPolicy,
  updateAdminConsentRequestPolicy,
} from "../identity/consent-requests/index.ts";
import type { IdentityDB } from "../identity/db.ts";
import { DEMO_NAMES, DEMO_REVIEWERS, SEED_ACTOR } from "./world.ts";

/** The demo world's parts the demo app is wired to. */
export interface DemoApp {
  /** Northwind CRM's registration in the publisher tenant. */
  registration: Application;
  /** The customer tenant (Contoso) whose users connect their mailboxes. */
  customerTenantId: string;
}

async function tenantId(trx: Transaction<IdentityDB>, slug: string) {
  const row = await trx
    .selectFrom("identity.tenants")
    .select("id")
    .where("slug", "=", slug)
    .executeTakeFirst();
  return row?.id;
}

/**
 * On every demo start: points Northwind CRM's registration at the URLs this start uses (its
 * home page is the demo app, where the approval email's "Try again" restarts the connection;
 * Connect's callback is a redirect URI), and gives Contoso's admin consent workflow its
 * reviewers if a world seeded by an older version has none. Changes write their audit events;
 * nothing is written when all is as it should be. Undefined when the world was taken apart.
 */
export async function ensureDemoApp(
  trx: Transaction<IdentityDB>,
  config: Config,
): Promise<DemoApp | undefined> {
  const publisherId = await tenantId(trx, DEMO_NAMES.publisher);
  const customerTenantId = await tenantId(trx, DEMO_NAMES.customer);
  if (!publisherId || !customerTenantId) return undefined;
  const found = (await listApplications(trx, publisherId)).find(
    (a) => a.displayName === DEMO_NAMES.app,
  );
  if (!found) return undefined;
  let registration = await updateApplication(
    trx,
    publisherId,
    found.id,
    { homepageUrl: `${config.demo.publicUrl}/` },
    SEED_ACTOR,
  );
  const callback = `${config.connect.publicUrl}/v3/connect/callback`;
  if (!registration.redirectUris.includes(callback))
    registration = await addRedirectUri(trx, publisherId, found.id, callback, SEED_ACTOR);
  const policy = await getAdminConsentRequestPolicy(trx, customerTenantId);
  if (policy.isEnabled && policy.reviewers.length === 0)
    await updateAdminConsentRequestPolicy(
      trx,
      customerTenantId,
      { reviewers: DEMO_REVIEWERS },
      SEED_ACTOR,
    );
  return { registration, customerTenantId };
}
