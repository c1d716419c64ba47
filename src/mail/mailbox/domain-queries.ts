import type { Kysely } from "kysely";
import type { MailDB } from "../tables.ts";

export interface HostedDomain {
  domain: string;
  tenantId: string;
  createdAt: Date;
}

/** Inserts the domain for the tenant; does nothing when the domain is already hosted. */
export async function insertHostedDomain(
  db: Kysely<MailDB>,
  domain: string,
  tenantId: string,
): Promise<void> {
  await db
    .insertInto("mail.hosted_domains")
    .values({ domain, tenant_id: tenantId })
    .onConflict((oc) => oc.column("domain").doNothing())
    .execute();
}

export async function selectHostedDomain(
  db: Kysely<MailDB>,
  domain: string,
): Promise<HostedDomain | undefined> {
  const row = await db
    .selectFrom("mail.hosted_domains")
    .select(["domain", "tenant_id", "created_at"])
    .where("domain", "=", domain)
    .executeTakeFirst();
  return row && { domain: row.domain, tenantId: row.tenant_id, createdAt: row.created_at };
}

/** The hosted domains among `domains` (any tenant's: mail between tenants is ordinary mail). */
export async function selectHostedDomains(
  db: Kysely<MailDB>,
  domains: readonly string[],
): Promise<HostedDomain[]> {
  if (domains.length === 0) return [];
  const rows = await db
    .selectFrom("mail.hosted_domains")
    .select(["domain", "tenant_id", "created_at"])
    .where("domain", "in", [...domains])
    .execute();
  return rows.map((r) => ({ domain: r.domain, tenantId: r.tenant_id, createdAt: r.created_at }));
}
