/**
 * Assent Mail's identity as a resource, as the Identity service registers it: access tokens for
 * Mail carry one of these as `aud`. Mail never imports Identity; these values are the protocol
 * contract between them (Identity: src/identity/apps/mail-resource.ts), fixed across
 * installations so clients may hard-code them, as they do Microsoft Graph's.
 */
export const MAIL_AUDIENCES = [
  "api://assent-mail",
  "00000003-0000-0000-c000-00000000a55e",
] as const;

/** Issuer of tenant T under an Identity base URL, as Entra's v2.0 endpoint names it. */
export function issuerOf(issuerBase: string, tenantId: string): string {
  return `${issuerBase}/${tenantId}/v2.0`;
}

/** The JWKS URI of tenant T (Entra: `/{tenant}/discovery/v2.0/keys`). */
export function jwksUriOf(issuerBase: string, tenantId: string): URL {
  return new URL(`${issuerBase}/${tenantId}/discovery/v2.0/keys`);
}
