import type { Transaction } from "kysely";
import type { Config } from "../config/index.ts";
import type { AuditActor } from "../identity/activity/audit-log.ts";
import {
  createApplication,
  findApplicationByAppId,
  MAIL_RESOURCE,
  requirePermission,
} from "../identity/apps/index.ts";
import { updateConsentSettings } from "../identity/consent/index.ts";
import { updateAdminConsentRequestPolicy } from "../identity/consent-requests/index.ts";
import type { IdentityDB } from "../identity/db.ts";
import { createDirectory } from "../identity/directory/index.ts";
import { tenantCreationHooks } from "../identity/tenant-hooks.ts";
import { addHostedDomain, deliver } from "../mail/index.ts";
import type { KeyRing } from "../platform/crypto/index.ts";

/** Printed at start-up: demo credentials are meant to be seen, never used outside a demo. */
export const DEMO_PASSWORD = "assent-demo-2026";

export const SEED_ACTOR: AuditActor = { type: "system", name: "assent-demo-seed" };

/** The names the demo world is found by on later starts. */
export const DEMO_NAMES = {
  publisher: "northwind-apps",
  customer: "contoso",
  app: "Northwind CRM",
} as const;

/** Contoso's reviewers of admin consent requests: its Global Administrators (the admin). */
export const DEMO_REVIEWERS = [{ type: "role" as const, id: "global_administrator" }];

const DEMO_MESSAGES = [
  {
    from: { address: "lee@contoso.com", name: "Lee Gu" },
    to: "megan@contoso.com",
    subject: "Q4 pipeline review",
    body: "Hi Megan, can we go through the Q4 pipeline on Thursday? I have the numbers from Fabrikam.",
  },
  {
    from: { address: "admin@contoso.com", name: "Alex Wilber" },
    to: "megan@contoso.com",
    subject: "Welcome to Contoso mail",
    body: "Your mailbox is ready. Apps that want to read it must be approved by IT.",
  },
  {
    from: { address: "megan@contoso.com", name: "Megan Bowen" },
    to: "lee@contoso.com",
    subject: "Re: Fabrikam renewal",
    body: "Lee, Fabrikam signed the renewal this morning. Details in the CRM once it is connected.",
  },
  {
    from: { address: "megan@contoso.com", name: "Megan Bowen" },
    to: "diego@contoso.com",
    subject: "Fabrikam case study",
    body: "Diego, Fabrikam agreed to a case study for the spring campaign. Can marketing draft it?",
  },
];

/**
 * Creates the demo world on an empty database: a publisher tenant with a multi-tenant app from
 * an unverified publisher that wants to read mail, and a customer tenant (Contoso) whose users
 * may not consent and ask their Global Administrators for approval instead, with a mail
 * administrator, two users in a Sales group, one in Marketing and one in no group (for the
 * story's later steps: assignment, user consent settings, troubleshooting), hosted mail domains
 * and a few messages.
 */
export async function createDemoWorld(
  trx: Transaction<IdentityDB>,
  keyRing: KeyRing,
  config: Config,
): Promise<void> {
  const directory = createDirectory({
    database: { db: trx },
    onTenantCreated: tenantCreationHooks(keyRing),
  });
  const publisher = await directory.tenants.create(
    { slug: DEMO_NAMES.publisher, displayName: "Northwind Apps" },
    SEED_ACTOR,
  );
  const contoso = await directory.tenants.create(
    { slug: DEMO_NAMES.customer, displayName: "Contoso" },
    SEED_ACTOR,
  );
  await directory.tenants.addDomain(contoso.id, "contoso.com", SEED_ACTOR);
  await directory.tenants.addDomain(publisher.id, "northwind.example", SEED_ACTOR);
  const admin = await directory.users.create(
    contoso.id,
    {
      userPrincipalName: "admin@contoso.com",
      displayName: "Alex Wilber (Mail administrator)",
      password: DEMO_PASSWORD,
    },
    SEED_ACTOR,
  );
  await directory.roles.assign(contoso.id, admin.id, "global_administrator", SEED_ACTOR);
  // The scenario: Contoso's users may not consent to apps; they ask for approval instead, and
  // the Global Administrators review. The publisher tenant keeps the default settings.
  await updateConsentSettings(trx, contoso.id, { userConsent: "disabled" }, SEED_ACTOR);
  await updateAdminConsentRequestPolicy(
    trx,
    contoso.id,
    { isEnabled: true, reviewers: DEMO_REVIEWERS },
    SEED_ACTOR,
  );
  const megan = await directory.users.create(
    contoso.id,
    { userPrincipalName: "megan@contoso.com", displayName: "Megan Bowen", password: DEMO_PASSWORD },
    SEED_ACTOR,
  );
  const lee = await directory.users.create(
    contoso.id,
    { userPrincipalName: "lee@contoso.com", displayName: "Lee Gu", password: DEMO_PASSWORD },
    SEED_ACTOR,
  );
  const sales = await directory.groups.create(
    contoso.id,
    { displayName: "Sales", description: "The sales team" },
    SEED_ACTOR,
  );
  await directory.groups.addMember(contoso.id, sales.id, megan.id, SEED_ACTOR);
  await directory.groups.addMember(contoso.id, sales.id, lee.id, SEED_ACTOR);
  const diego = await directory.users.create(
    contoso.id,
    {
      userPrincipalName: "diego@contoso.com",
      displayName: "Diego Siciliani",
      password: DEMO_PASSWORD,
    },
    SEED_ACTOR,
  );
  const marketing = await directory.groups.create(
    contoso.id,
    { displayName: "Marketing", description: "The marketing team" },
    SEED_ACTOR,
  );
  await directory.groups.addMember(contoso.id, marketing.id, diego.id, SEED_ACTOR);
  await directory.users.create(
    contoso.id,
    {
      userPrincipalName: "nestor@contoso.com",
      displayName: "Nestor Wilke",
      password: DEMO_PASSWORD,
    },
    SEED_ACTOR,
  );
  const dev = await directory.users.create(
    publisher.id,
    {
      userPrincipalName: "dev@northwind.example",
      displayName: "Northwind Developer",
      password: DEMO_PASSWORD,
    },
    SEED_ACTOR,
  );
  await directory.roles.assign(publisher.id, dev.id, "global_administrator", SEED_ACTOR);
  const app = await createApplication(
    trx,
    publisher.id,
    {
      displayName: DEMO_NAMES.app,
      signInAudience: "AzureADMultipleOrgs",
      redirectUris: [`${config.connect.publicUrl}/v3/connect/callback`],
    },
    SEED_ACTOR,
  );
  const mail = await findApplicationByAppId(trx, MAIL_RESOURCE.appId);
  if (!mail) throw new Error("the Assent Mail resource is missing: migrations did not run");
  for (const value of ["Mail.Read", "offline_access", "User.Read"]) {
    await requirePermission(
      trx,
      publisher.id,
      app.id,
      { resource: mail, value, type: "Scope" },
      SEED_ACTOR,
    );
  }
  // The Mail service hosts both organisations' mail, so notifications land in real mailboxes.
  await addHostedDomain(trx, "contoso.com", contoso.id);
  await addHostedDomain(trx, "northwind.example", publisher.id);
  for (const [i, message] of DEMO_MESSAGES.entries()) {
    await deliver(trx, {
      from: message.from,
      recipients: [message.to],
      toRecipients: [{ address: message.to }],
      subject: message.subject,
      body: { contentType: "text", content: message.body },
      receivedAt: new Date(Date.now() - (DEMO_MESSAGES.length - i) * 3_600_000),
    });
  }
}
