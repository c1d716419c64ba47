import type { Kysely } from "kysely";
import { type Caller, holdsAny, READ_MAIL_ROLES, READ_MAIL_SCOPES } from "../auth/caller.ts";
import { accessDenied, badRequest, GraphError } from "../graph/graph-error.ts";
import { findTenantMailbox, type Mailbox, resolveOwnMailbox } from "../mailbox/index.ts";
import type { MailDB } from "../tables.ts";

/** Graph's answer to /me with an app-only token. */
export function requireDelegated(
  caller: Caller,
): asserts caller is Extract<Caller, { kind: "delegated" }> {
  if (caller.kind !== "delegated")
    throw badRequest("/me request is only valid with delegated authentication flow.");
}

/** Reading messages needs Mail.ReadBasic, Mail.Read or Mail.ReadWrite (app-only: a Mail.*.All role). */
export function requireMailRead(caller: Caller): void {
  const needed = caller.kind === "delegated" ? READ_MAIL_SCOPES : READ_MAIL_ROLES;
  if (!holdsAny(caller, needed)) throw accessDenied(needed);
}

/** The signed-in user's mailbox, or Graph's 404 for a user without one here. */
export async function ownMailbox(db: Kysely<MailDB>, caller: Caller): Promise<Mailbox> {
  requireDelegated(caller);
  const mailbox = await resolveOwnMailbox(db, caller);
  if (!mailbox)
    throw new GraphError(
      404,
      "MailboxNotEnabledForRESTAPI",
      `No mailbox is hosted here for ${caller.username ?? "this user"}: its domain is not one Assent Mail hosts for the user's tenant.`,
    );
  return mailbox;
}

/**
 * The mailbox of `/users/{id | userPrincipalName}`. App-only callers reach only their own
 * tenant's mailboxes (another tenant's user is simply not
 * found, as in Graph). Delegated callers reach only their own mailbox this way.
 */
export async function userMailbox(
  db: Kysely<MailDB>,
  caller: Caller,
  user: string,
): Promise<Mailbox> {
  if (caller.kind === "application") {
    const mailbox = await findTenantMailbox(db, caller.tenantId, user);
    if (!mailbox)
      throw new GraphError(404, "ErrorInvalidUser", `The requested user '${user}' is invalid.`);
    return mailbox;
  }
  const own = await ownMailbox(db, caller);
  if (own.userObjectId !== user.toLowerCase() && own.address !== user.toLowerCase())
    throw new GraphError(
      403,
      "ErrorAccessDenied",
      "Access is denied. Check credentials and try again.",
    );
  return own;
}
