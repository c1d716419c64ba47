import type { KoaContextWithOIDC } from "oidc-provider";
import { classifyError } from "./classify.ts";
import { isBlockedAppError } from "./entra-error.ts";

/** The error being written for this request, as oidc-provider last reported it. */
export function reportedError(ctx: KoaContextWithOIDC): unknown {
  return ctx.state.oauthError;
}

/** The Entra code of the error being written for this request. */
export function codeFor(ctx: KoaContextWithOIDC, error: string, description?: string): number {
  const thrown = reportedError(ctx) as { error_detail?: string } | undefined;
  const code = classifyError({ error, description, detail: thrown?.error_detail, thrown });
  // A public client that authenticates at all presented a secret it must not have (Entra).
  if (code === 7000218 && ctx.oidc?.client?.clientAuthMethod === "none") return 700025;
  return code;
}

/**
 * Whether the error being written is AADSTS7000112 for an app the organisation blocked (a
 * reviewer chose "Block"), not one an administrator merely disabled (`blockedAppError`): the
 * user gets the blocked-app page.
 */
export function isBlockedApp(ctx: KoaContextWithOIDC, code: number): boolean {
  return code === 7000112 && isBlockedAppError(reportedError(ctx));
}
