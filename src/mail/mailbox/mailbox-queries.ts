import type { Kysely } from "kysely";
import type { MailDB } from "../tables.ts";

export interface Mailbox {
  id: string;
  tenantId: string;
  address: string;
  userObjectId: string | null;
  displayName: string | null;
}

const COLUMNS = ["id", "tenant_id", "address", "user_object_id", "display_name"] as const;

function toMailbox(row: {
  id: string;
  tenant_id: string;
  address: string;
  user_object_id: string | null;
  display_name: string | null;
}): Mailbox {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    address: row.address,
    userObjectId: row.user_object_id,
    displayName: row.display_name,
  };
}

/**
 * Creates the mailbox unless the address has one. Returns the new mailbox, or undefined when
 * another row holds the address (or, with an owner, when the owner already has a mailbox).
 */
export async function insertMailbox(
  db: Kysely<MailDB>,
  values: {
    tenantId: string;
    address: string;
    domain: string;
    userObjectId?: string | null;
    displayName?: string | null;
  },
): Promise<Mailbox | undefined> {
  const row = await db
    .insertInto("mail.mailboxes")
    .values({
      tenant_id: values.tenantId,
      address: values.address,
      domain: values.domain,
      user_object_id: values.userObjectId ?? null,
      display_name: values.displayName ?? null,
    })
    .onConflict((oc) => oc.doNothing())
    .returning(COLUMNS)
    .executeTakeFirst();
  return row && toMailbox(row);
}

export async function selectMailboxByAddress(
  db: Kysely<MailDB>,
  address: string,
): Promise<Mailbox | undefined> {
  const row = await db
    .selectFrom("mail.mailboxes")
    .select(COLUMNS)
    .where("address", "=", address)
    .executeTakeFirst();
  return row && toMailbox(row);
}

/** The tenant's mailbox owned by the directory object `userObjectId`. */
export async function selectMailboxByOwner(
  db: Kysely<MailDB>,
  tenantId: string,
  userObjectId: string,
): Promise<Mailbox | undefined> {
  const row = await db
    .selectFrom("mail.mailboxes")
    .select(COLUMNS)
    .where("tenant_id", "=", tenantId)
    .where("user_object_id", "=", userObjectId)
    .executeTakeFirst();
  return row && toMailbox(row);
}

/** The tenant's mailbox at `address`; another tenant's mailbox is never returned. */
export async function selectTenantMailboxByAddress(
  db: Kysely<MailDB>,
  tenantId: string,
  address: string,
): Promise<Mailbox | undefined> {
  const row = await db
    .selectFrom("mail.mailboxes")
    .select(COLUMNS)
    .where("tenant_id", "=", tenantId)
    .where("address", "=", address)
    .executeTakeFirst();
  return row && toMailbox(row);
}

/**
 * Records the owner of a mailbox that has none yet, in one conditional UPDATE: of two
 * concurrent first sign-ins, exactly one binds the mailbox.
 */
export async function claimMailbox(
  db: Kysely<MailDB>,
  tenantId: string,
  address: string,
  owner: { userObjectId: string; displayName: string | null },
): Promise<Mailbox | undefined> {
  const row = await db
    .updateTable("mail.mailboxes")
    .set((eb) => ({
      user_object_id: owner.userObjectId,
      display_name: eb.fn.coalesce("display_name", eb.val(owner.displayName)),
      updated_at: new Date(),
    }))
    .where("tenant_id", "=", tenantId)
    .where("address", "=", address)
    .where("user_object_id", "is", null)
    .returning(COLUMNS)
    .executeTakeFirst();
  return row && toMailbox(row);
}

/** Every mailbox, for the loopback mailbox page (a development tool, not tenant-facing). */
export async function selectAllMailboxes(db: Kysely<MailDB>, limit: number): Promise<Mailbox[]> {
  const rows = await db
    .selectFrom("mail.mailboxes")
    .select(COLUMNS)
    .orderBy("address")
    .limit(limit)
    .execute();
  return rows.map(toMailbox);
}
