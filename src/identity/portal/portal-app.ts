/**
 * Assent Portal: the admin portal's built-in application in the system tenant (migration 0014),
 * a first-party multi-tenant public client. Fixed ids, as Assent Admin API's, so the SPA can
 * name its client id without asking the server.
 */
export const PORTAL_APP = {
  /** The client id the SPA signs in with (web/portal/src/auth/config.ts holds the same value). */
  appId: "00000003-0000-0000-c000-00000000b07a",
  /** Object id (applications.id). */
  applicationId: "5b0c7a52-52a8-4a62-9d5e-0d1f3b7e4c11",
} as const;

/**
 * Where the tenant's issuer sends the code: one tenant-independent path under the public URL
 * (the SPA remembers the tenant in its sign-in state), so one exact redirect URI serves every
 * tenant.
 */
export const PORTAL_CALLBACK_PATH = "/portal/callback";

/** The portal's one registered redirect URI for a public URL (no trailing slash kept). */
export function portalRedirectUri(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, "")}${PORTAL_CALLBACK_PATH}`;
}
