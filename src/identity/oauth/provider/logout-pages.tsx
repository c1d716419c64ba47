import type { KoaContextWithOIDC } from "oidc-provider";
import { getUser } from "../../directory/index.ts";
import { renderPage, SignedOutPage, SignOutPage } from "../../pages/index.ts";
import type { TenantRuntime } from "./runtime.ts";

/**
 * RP-initiated logout pages (OpenID Connect RP-Initiated Logout 1.0). oidc-provider hands
 * `logoutSource` a form of its own; the page renders an equivalent form with React instead
 * (same action, same xsrf secret) so no HTML string is pasted into the page.
 */
export function logoutPages(rt: TenantRuntime) {
  return {
    async logoutSource(ctx: KoaContextWithOIDC): Promise<void> {
      const session = ctx.oidc.session;
      const state = (session?.state ?? {}) as { secret?: string };
      const user = session?.accountId
        ? await getUser(rt.db, rt.tenant.id, session.accountId)
        : undefined;
      ctx.type = "html";
      ctx.body = renderPage(
        <SignOutPage
          actionUrl={ctx.oidc.urlFor("end_session_confirm")}
          xsrf={state.secret ?? ""}
          userPrincipalName={user?.userPrincipalName}
        />,
      );
    },
    async postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
      ctx.type = "html";
      ctx.body = renderPage(<SignedOutPage appName={ctx.oidc.client?.clientName} />);
    },
  };
}
