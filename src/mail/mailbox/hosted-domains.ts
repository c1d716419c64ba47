import type { Kysely } from "kysely";
import { ApiError } from "../../platform/http/index.ts";
import { isGuid } from "../ids.ts";
import type { MailDB } from "../tables.ts";
import { normaliseDomain } from "./addresses.ts";
import { type HostedDomain, insertHostedDomain, selectHostedDomain } from "./domain-queries.ts";

/**
 * Hosts a mail domain for a tenant: mail to its addresses is accepted and filed, and the
 * tenant's users whose `preferred_username` is in it get a mailbox. Idempotent for the same
 * tenant; a domain hosted for another tenant is refused, so no token of one tenant can ever
 * reach another tenant's mailboxes.
 *
 * @example
 * await addHostedDomain(database.db, "contoso.com", tenant.id);
 */
export async function addHostedDomain<DB>(
  db: Kysely<DB>,
  domain: string,
  tenantId: string,
): Promise<HostedDomain> {
  const mailDb = db as unknown as Kysely<MailDB>;
  const name = normaliseDomain(domain);
  if (!name)
    throw new ApiError(
      400,
      "mail.invalid_domain",
      `"${domain}" is not a domain name: give one such as contoso.com.`,
    );
  if (!isGuid(tenantId))
    throw new ApiError(
      400,
      "mail.invalid_tenant_id",
      `"${tenantId}" is not a tenant id: give the tenant's GUID, not its name.`,
    );
  await insertHostedDomain(mailDb, name, tenantId.toLowerCase());
  const hosted = await selectHostedDomain(mailDb, name);
  if (!hosted) throw new Error(`hosted domain ${name} vanished after insert`);
  if (hosted.tenantId !== tenantId.toLowerCase())
    throw new ApiError(
      409,
      "mail.domain_hosted_elsewhere",
      `The domain ${name} is already hosted for another tenant. A domain belongs to one tenant; remove it there first.`,
    );
  return hosted;
}
