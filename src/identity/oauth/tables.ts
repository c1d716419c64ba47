import type { Json, Timestamp } from "../db-types.ts";

/** One oidc-provider artifact: `model` is oidc-provider's model name, `id` its identifier. */
export interface OidcStoreTable {
  model: string;
  id: string;
  tenant_id: string;
  payload: Json<Record<string, unknown>>;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: Date | string | null;
  consumed_at: Timestamp | null;
  created_at: Timestamp;
}

/** Failed sign-ins of one subject (`account:<upn>` or `ip:<address>`) in the current window. */
export interface SignInThrottleTable {
  tenant_id: string;
  subject: string;
  failures: number;
  window_started_at: Timestamp;
  blocked_until: Date | string | null;
}

/** Tables of the OAuth module (oidc-provider's artifacts and sign-in throttling). */
export interface OAuthTables {
  "identity.oidc_store": OidcStoreTable;
  "identity.sign_in_throttle": SignInThrottleTable;
}
