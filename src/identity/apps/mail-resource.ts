/**
 * Assent Mail: the built-in resource every tenant can consent to, as Microsoft Graph is in
 * Entra. Migration 0002 creates it in the system tenant with these fixed ids, so clients may
 * hard-code the app id and grants stay valid across installations.
 */
export const MAIL_RESOURCE = {
  appId: "00000003-0000-0000-c000-00000000a55e",
  identifierUri: "api://assent-mail",
} as const satisfies { appId: string; identifierUri: "api://assent-mail" };

/** Object id (applications.id) of Assent Mail. */
export const MAIL_APPLICATION_ID = "fa3e3f95-38a4-4eab-8992-f79515a0e18f";

/** The system tenant (slug `assent-system`), publisher of the built-in resources. */
export const SYSTEM_TENANT_ID = "8e6c1ec5-c7e6-4907-9a3d-afac4377f6de";
export const SYSTEM_TENANT_SLUG = "assent-system";

/** Ids of Assent Mail's delegated permissions (all user-consentable, as in Graph). */
export const MAIL_SCOPE_IDS = {
  "User.Read": "41e7b82d-c8c4-4c58-a87e-8ddfc581c6ed",
  "Mail.ReadBasic": "338c0695-2848-49cf-be2b-a5e4b9fa93f4",
  "Mail.Read": "050da56c-fc18-46d0-8e3a-84fcf29e2cfb",
  "Mail.ReadWrite": "5d8f00e4-6ffd-4ff9-a3e7-cebde9c021bf",
  "Mail.Send": "2dc0fc55-0546-4b12-afc1-643dee990d18",
  openid: "5b79026b-2d94-4e70-a4e7-a1bd32f73b3a",
  profile: "da57eccc-0587-4079-846c-0b35c6678ff7",
  email: "e11f8b4a-dac4-49f1-a187-fce13041412a",
  offline_access: "193db5d9-1ee7-4f77-adfb-37b47d554bd2",
} as const;

/** Ids of Assent Mail's application permissions (app roles). */
export const MAIL_ROLE_IDS = {
  "Mail.Read.All": "73a7085e-2460-4192-a450-b4c2ea506ad6",
} as const;

/** The app role id of an assignment that grants access without a specific role (Entra). */
export const NIL_ROLE_ID = "00000000-0000-0000-0000-000000000000";

/**
 * The OpenID Connect scopes (OIDC Core 1.0 section 5.4, section 11 for offline_access). They are
 * never resource-qualified; on their own they mean a sign-in with Assent Mail as the resource,
 * as Entra treats them as Microsoft Graph's.
 */
export const OIDC_SCOPES = ["openid", "profile", "email", "offline_access"] as const;
export type OidcScope = (typeof OIDC_SCOPES)[number];

export function isOidcScope(value: string): value is OidcScope {
  return (OIDC_SCOPES as readonly string[]).includes(value);
}
