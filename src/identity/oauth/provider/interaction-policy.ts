import { interactionPolicy } from "oidc-provider";

/**
 * oidc-provider's base policy (login, then consent) with two changes:
 * - `select_account` becomes a prompt an app may request (OpenID Connect Core 1.0 section
 *   3.1.2.1), resolved by the "Pick an account" page before login;
 * - native clients are not forced through a consent interaction on every request (the
 *   `native_client_prompt` check): Entra does not do that, and the access decision runs on
 *   every request anyway.
 */
export function interactionPolicyFor(): interactionPolicy.Policy {
  const policy = interactionPolicy.base();
  policy.get("consent")?.checks.remove("native_client_prompt");
  policy.add(new interactionPolicy.Prompt({ name: "select_account", requestable: true }), 0);
  return policy;
}
