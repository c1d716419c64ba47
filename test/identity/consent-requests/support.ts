import { sql } from "kysely";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  type Application,
  createApplication,
  MAIL_APPLICATION_ID,
} from "../../../src/identity/apps/index.ts";
import { updateConsentSettings } from "../../../src/identity/consent/index.ts";
import {
  type AdminConsentRequestPolicy,
  submitConsentRequest,
  updateAdminConsentRequestPolicy,
} from "../../../src/identity/consent-requests/index.ts";
import {
  createDirectory,
  type DirectoryRole,
  type Group,
  type Tenant,
  type TenantCreatedHook,
  type User,
} from "../../../src/identity/directory/index.ts";
import type { TestDatabase } from "../../support/databases.ts";

/**
 * A tenant where users may not consent and may ask for approval: a requester (in group
 * "Sales"), a second plain user, a designated reviewer without any directory role, a Cloud
 * Application Administrator (reviewer through the role), a Global Reader who is not a reviewer,
 * and a multi-tenant app of another publisher that wants the tenant's mail.
 */
export interface Workflow {
  tenant: Tenant;
  publisher: Tenant;
  megan: User;
  nestor: User;
  reviewer: User;
  appAdmin: User;
  reader: User;
  globalAdmin: User;
  sales: Group;
  app: Application;
}

let counter = 0;

export async function seedWorkflow(
  t: TestDatabase,
  slug: string,
  options: {
    onTenantCreated?: TenantCreatedHook[];
    policy?: Partial<AdminConsentRequestPolicy>;
  } = {},
): Promise<Workflow> {
  const { db } = t.database;
  const directory = createDirectory({
    database: t.database,
    ...(options.onTenantCreated ? { onTenantCreated: options.onTenantCreated } : {}),
  });
  const tenant = await directory.tenants.create({ slug, displayName: `${slug} Ltd` }, CLI_ACTOR);
  const publisher = await directory.tenants.create(
    { slug: `${slug}-pub${++counter}`, displayName: "Northwind <Apps>" },
    CLI_ACTOR,
  );
  const user = async (name: string, role?: DirectoryRole) => {
    const u = await directory.users.create(
      tenant.id,
      {
        userPrincipalName: `${name}@${slug}.example`,
        displayName: name,
        password: "correct horse battery staple",
      },
      CLI_ACTOR,
    );
    if (role) await directory.roles.assign(tenant.id, u.id, role, CLI_ACTOR);
    return u;
  };
  const megan = await user("megan");
  const nestor = await user("nestor");
  const reviewer = await user("rhea");
  const appAdmin = await user("alan", "cloud_application_administrator");
  const reader = await user("gloria", "global_reader");
  const globalAdmin = await user("grace", "global_administrator");
  const sales = await directory.groups.create(tenant.id, { displayName: "Sales" }, CLI_ACTOR);
  await directory.groups.addMember(tenant.id, sales.id, megan.id, CLI_ACTOR);
  const app = await createApplication(
    db,
    publisher.id,
    {
      displayName: "Northwind CRM <script>alert(1)</script>",
      isPublicClient: true,
      signInAudience: "AzureADMultipleOrgs",
      redirectUris: ["http://127.0.0.1:9/callback"],
    },
    CLI_ACTOR,
  );
  await updateConsentSettings(db, tenant.id, { userConsent: "disabled" }, CLI_ACTOR);
  await updateAdminConsentRequestPolicy(
    db,
    tenant.id,
    {
      isEnabled: true,
      reviewers: [
        { type: "user", id: reviewer.id },
        { type: "role", id: "cloud_application_administrator" },
      ],
      ...options.policy,
    },
    CLI_ACTOR,
  );
  return { tenant, publisher, megan, nestor, reviewer, appAdmin, reader, globalAdmin, sales, app };
}

/** A submit of Assent Mail scopes by `user`. */
export function ask(
  t: TestDatabase,
  w: Workflow,
  user: User,
  scopes: string[] = ["openid", "Mail.Read"],
  justification = "I need my mail in the CRM.",
  now?: Date,
) {
  return submitConsentRequest(
    t.database.db,
    {
      tenantId: w.tenant.id,
      clientApplicationId: w.app.id,
      userId: user.id,
      justification,
      requested: [{ resourceApplicationId: MAIL_APPLICATION_ID, scopes }],
    },
    now,
  );
}

/** Audit events of the tenant with this activity name. */
export async function auditEvents(t: TestDatabase, tenantId: string, activity: string) {
  const r = await sql<{
    actor: Record<string, unknown>;
    targets: Array<Record<string, unknown>>;
    modified_properties: Array<{ name: string; oldValue: unknown; newValue: unknown }>;
    additional_details: Record<string, unknown>;
  }>`select actor, targets, modified_properties, additional_details from identity.audit_events
      where tenant_id = ${tenantId} and activity = ${activity} order by seq`.execute(t.database.db);
  return r.rows;
}

/** Outbox rows of a kind for the tenant. */
export async function outboxRows(t: TestDatabase, tenantId: string, kind: string) {
  const r = await sql<{
    id: string;
    /** Email and notification payloads, as the outbox stores them. */
    payload: { to: string[]; subject: string; text: string; html: string; event: string };
    dedupe_key: string | null;
    completed_at: Date | null;
  }>`
    select id, payload, dedupe_key, completed_at from identity.outbox
     where tenant_id = ${tenantId} and kind = ${kind} order by created_at, id`.execute(
    t.database.db,
  );
  return r.rows;
}
