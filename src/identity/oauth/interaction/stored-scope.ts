import type { InteractionInstance } from "oidc-provider";
import { isOidcScope } from "../../apps/index.ts";

/**
 * Before an interaction ends, names the resource again in its stored `scope`. oidc-provider
 * stores the request's parameters as normalised (`openid Reports.Read` with
 * `resource=api://reports`), and on resume provider/request-scopes.ts normalises `scope` once
 * more, reading a bare value as Assent Mail's: any API other than Assent Mail would fail with
 * AADSTS650053 after the sign-in or consent step. Qualified values (`api://reports/Reports.Read`)
 * resolve to the same resource and scopes. (The lasting fix belongs in request-scopes.ts, which
 * could read `params.resource` on the resume route.)
 */
export async function qualifyStoredScope(details: InteractionInstance): Promise<void> {
  const { scope, resource } = details.params;
  if (typeof scope !== "string" || typeof resource !== "string") return;
  const qualified = scope
    .split(" ")
    .filter(Boolean)
    .map((s) => (isOidcScope(s) || s.includes("/") ? s : `${resource}/${s}`))
    .join(" ");
  if (qualified === scope) return;
  details.params.scope = qualified;
  await details.persist();
}
