import type { GrantsTable } from "../tables.ts";

type GrantRow = {
  [K in keyof GrantsTable]: GrantsTable[K] extends { __select__: infer S } ? S : GrantsTable[K];
};

/** The columns a grant is read with (tokens stay encrypted until a service needs one). */
export const GRANT_COLUMNS = [
  "id",
  "application_id",
  "provider",
  "email",
  "name",
  "provider_user_id",
  "provider_tenant",
  "grant_status",
  "scope",
  "settings",
  "access_token_enc",
  "access_token_expires_at",
  "refresh_token_enc",
  "id_token_enc",
  "ip",
  "user_agent",
  "created_at",
  "updated_at",
] as const;

export type Grant = Pick<GrantRow, (typeof GRANT_COLUMNS)[number]>;

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * A grant as Nylas v3 shows one (snake_case, Unix seconds), so code and the SDK written for
 * Nylas read it unchanged. Never a token.
 */
export function grantView(g: Grant) {
  return {
    id: g.id,
    provider: g.provider,
    grant_status: g.grant_status,
    email: g.email,
    name: g.name ?? undefined,
    scope: g.scope,
    settings: g.settings,
    provider_user_id: g.provider_user_id ?? undefined,
    ip: g.ip ?? undefined,
    user_agent: g.user_agent ?? undefined,
    created_at: seconds(g.created_at),
    updated_at: seconds(g.updated_at),
  };
}
