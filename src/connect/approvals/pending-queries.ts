import { type Kysely, sql } from "kysely";
import { isUuid } from "../../platform/ids.ts";
import type { ConnectDB, PendingApprovalsTable, ProviderName } from "../tables.ts";

export type PendingApproval = {
  [K in keyof PendingApprovalsTable]: PendingApprovalsTable[K] extends { __select__: infer S }
    ? S
    : PendingApprovalsTable[K];
};

/** A pending approval as the API shows it. */
export function pendingApprovalView(p: PendingApproval, publicUrl: string) {
  return {
    id: p.id,
    provider: p.provider,
    provider_tenant: p.provider_tenant,
    email: p.email || undefined,
    outcome: p.outcome,
    status: p.status,
    error_code: p.error_code ?? undefined,
    approval_page_url: `${publicUrl}/v3/connect/approvals/${p.id}`,
    created_at: Math.floor(p.created_at.getTime() / 1000),
    updated_at: Math.floor(p.updated_at.getTime() / 1000),
    approved_at: p.approved_at ? Math.floor(p.approved_at.getTime() / 1000) : undefined,
  };
}

/**
 * Records (or refreshes) the pending approval of one person of one organisation for one
 * application and provider: one row per (application, provider, tenant, email), made pending
 * again if an earlier approval did not stick. `created` is true when the row is new or was
 * not pending before (the moment `grant.approval_required` fires).
 */
export async function recordPendingApproval(
  db: Kysely<ConnectDB>,
  p: {
    applicationId: string;
    provider: ProviderName;
    providerTenant: string;
    email: string;
    outcome: string;
    errorCode: string | undefined;
    errorDescription: string | undefined;
    redirectUri: string;
    scope: string[];
  },
): Promise<{ approval: PendingApproval; fired: boolean }> {
  const before = await db
    .selectFrom("connect.pending_approvals")
    .select("status")
    .where("application_id", "=", p.applicationId)
    .where("provider", "=", p.provider)
    .where("provider_tenant", "=", p.providerTenant)
    .where("email", "=", p.email.toLowerCase())
    .executeTakeFirst();
  const values = {
    application_id: p.applicationId,
    provider: p.provider,
    provider_tenant: p.providerTenant,
    email: p.email.toLowerCase(),
    outcome: p.outcome,
    status: "pending" as const,
    error_code: p.errorCode ?? null,
    error_description: p.errorDescription?.slice(0, 2000) ?? null,
    redirect_uri: p.redirectUri,
    scope: JSON.stringify(p.scope),
  };
  const approval = await db
    .insertInto("connect.pending_approvals")
    .values(values)
    .onConflict((oc) =>
      oc
        .constraint("pending_approvals_key")
        .doUpdateSet({ ...values, approved_at: null, updated_at: new Date() }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return { approval, fired: before?.status !== "pending" };
}

export async function findPendingApproval(db: Kysely<ConnectDB>, id: string) {
  if (!isUuid(id)) return undefined;
  return db
    .selectFrom("connect.pending_approvals")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function listPendingApprovals(
  db: Kysely<ConnectDB>,
  applicationId: string,
  f: {
    limit: number;
    offset: number;
    status?: "pending" | "approved" | undefined;
    email?: string | undefined;
  },
) {
  let q = db
    .selectFrom("connect.pending_approvals")
    .selectAll()
    .where("application_id", "=", applicationId);
  if (f.status) q = q.where("status", "=", f.status);
  if (f.email) q = q.where("email", "=", f.email.toLowerCase());
  return q.orderBy("created_at", "desc").orderBy("id").limit(f.limit).offset(f.offset).execute();
}

/**
 * Marks pending approvals approved: those of one organisation (after tenant-wide admin
 * consent), or one person's (a grant went through). Returns only the rows this call changed,
 * so `grant.approval_granted` fires once per approval.
 */
export async function approvePending(
  db: Kysely<ConnectDB>,
  f: {
    applicationId: string;
    provider: ProviderName;
    providerTenant?: string;
    email?: string;
    id?: string;
  },
): Promise<PendingApproval[]> {
  let q = db
    .updateTable("connect.pending_approvals")
    .set({ status: "approved", approved_at: sql`now()`, updated_at: sql`now()` })
    .where("application_id", "=", f.applicationId)
    .where("provider", "=", f.provider)
    .where("status", "=", "pending");
  if (f.providerTenant !== undefined) q = q.where("provider_tenant", "=", f.providerTenant);
  if (f.email !== undefined) q = q.where("email", "=", f.email.toLowerCase());
  if (f.id !== undefined) q = q.where("id", "=", f.id);
  return q.returningAll().execute();
}
