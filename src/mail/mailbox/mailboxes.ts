import type { Kysely } from "kysely";
import { ApiError } from "../../platform/http/index.ts";
import { isGuid } from "../ids.ts";
import type { MailDB } from "../tables.ts";
import { domainOf, normaliseAddress } from "./addresses.ts";
import { selectHostedDomain } from "./domain-queries.ts";
import {
  claimMailbox,
  insertMailbox,
  type Mailbox,
  selectMailboxByOwner,
  selectTenantMailboxByAddress,
} from "./mailbox-queries.ts";

/** The signed-in user, as their access token names them. */
export interface MailboxUser {
  tenantId: string;
  objectId: string;
  /** `preferred_username` (the UPN). */
  username: string | undefined;
  name: string | undefined;
}

/**
 * The signed-in user's mailbox. A mailbox already bound to the user's object id wins (so a
 * renamed UPN keeps its mail). Otherwise the `preferred_username` names it, but only within a
 * domain hosted for the token's own tenant: the mailbox is created if needed and bound to the
 * user's object id with one conditional UPDATE. Returns undefined when the user has no mailbox
 * here (no username, or its domain is not hosted for their tenant).
 *
 * @throws ApiError 403 `mail.mailbox_owned_by_another_user` when the address's mailbox is bound
 * to a different object id (a UPN reassigned to a new user does not inherit the old mail).
 */
export async function resolveOwnMailbox(
  db: Kysely<MailDB>,
  user: MailboxUser,
): Promise<Mailbox | undefined> {
  const bound = await selectMailboxByOwner(db, user.tenantId, user.objectId);
  if (bound) return bound;
  const address = user.username ? normaliseAddress(user.username) : undefined;
  if (!address) return undefined;
  const domain = domainOf(address);
  const hosted = await selectHostedDomain(db, domain);
  if (!hosted || hosted.tenantId !== user.tenantId) return undefined;
  const owner = { userObjectId: user.objectId, displayName: user.name ?? null };
  const created = await insertMailbox(db, {
    tenantId: user.tenantId,
    address,
    domain,
    ...owner,
  });
  if (created) return created;
  const claimed = await claimMailbox(db, user.tenantId, address, owner);
  if (claimed) return claimed;
  // A concurrent first request of the same user may have bound it in between.
  const raced = await selectMailboxByOwner(db, user.tenantId, user.objectId);
  if (raced) return raced;
  throw new ApiError(
    403,
    "mail.mailbox_owned_by_another_user",
    `Access is denied. The mailbox ${address} belongs to another user object in this tenant.`,
  );
}

/**
 * A mailbox of the tenant named by its owner's object id or by its address (Graph's
 * `/users/{id | userPrincipalName}`). Mailboxes of other tenants are never found.
 */
export async function findTenantMailbox(
  db: Kysely<MailDB>,
  tenantId: string,
  idOrAddress: string,
): Promise<Mailbox | undefined> {
  if (isGuid(idOrAddress)) return selectMailboxByOwner(db, tenantId, idOrAddress.toLowerCase());
  const address = normaliseAddress(idOrAddress);
  return address ? selectTenantMailboxByAddress(db, tenantId, address) : undefined;
}
