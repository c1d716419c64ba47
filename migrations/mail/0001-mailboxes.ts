import { type Kysely, sql } from "kysely";

/**
 * The Mail service's store: the domains it hosts (each for exactly one tenant), the mailboxes
 * in them, and the messages filed there. Mail shares the database with the other services but
 * owns the `mail` schema and has no foreign keys into theirs: tenant ids and user object ids come
 * from access tokens, not from Identity's tables.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- A domain is hosted for exactly one tenant: the primary key says so. A token of tenant A
    -- can therefore never be mapped to a mailbox of a domain hosted for tenant B.
    create table mail.hosted_domains (
      domain text primary key constraint hosted_domains_domain_check check (domain = lower(domain)),
      tenant_id uuid not null,
      created_at timestamptz not null default now()
    );
    create index hosted_domains_tenant_idx on mail.hosted_domains (tenant_id);

    create table mail.mailboxes (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null,
      -- Stored lower-cased: addresses compare case-insensitively, as UPNs do.
      address text not null constraint mailboxes_address_key unique
        constraint mailboxes_address_check check (address = lower(address)),
      domain text not null references mail.hosted_domains(domain) on delete cascade,
      -- The directory object (token oid) that owns the mailbox, recorded on its first sign-in.
      user_object_id uuid,
      display_name text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint mailboxes_tenant_user_key unique (tenant_id, user_object_id)
    );
    create index mailboxes_tenant_idx on mail.mailboxes (tenant_id);

    create table mail.messages (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null,
      mailbox_id uuid not null references mail.mailboxes(id) on delete cascade,
      -- Well-known folder names, as Graph's mailFolders/{name}.
      folder text not null default 'inbox'
        constraint messages_folder_check check (folder in ('inbox', 'sentitems')),
      internet_message_id text not null,
      from_address text not null,
      from_name text,
      to_recipients jsonb not null default '[]',
      cc_recipients jsonb not null default '[]',
      subject text not null default '',
      body_content_type text not null
        constraint messages_body_content_type_check check (body_content_type in ('text', 'html')),
      body_content text not null,
      body_preview text not null default '',
      sent_at timestamptz,
      received_at timestamptz not null default now(),
      is_read boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      -- A message redelivered (an SMTP client retrying after a lost reply) is filed once.
      constraint messages_mailbox_folder_imid_key unique (mailbox_id, folder, internet_message_id)
    );
    -- Listing pages newest first; id breaks ties so $skip paging is stable.
    create index messages_mailbox_received_idx on mail.messages (mailbox_id, received_at desc, id desc);
  `.execute(db);
}
