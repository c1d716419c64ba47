import { codeInDescription, entraCodeOf } from "./entra-error.ts";

/** What is known about an error when it is written: the thrown error and its wire form. */
export interface ErrorFacts {
  error: string;
  description?: string | undefined;
  /** oidc-provider's internal `error_detail` (never on the wire, often the precise reason). */
  detail?: string | undefined;
  thrown?: unknown;
}

// oidc-provider's own errors, mapped to the Entra code of the same situation. First match wins;
// `text` is matched against the detail and the description.
const RULES: Array<{ error: string; text?: RegExp; code: number }> = [
  { error: "invalid_client", text: /client not found|client is invalid/, code: 700016 },
  { error: "invalid_client", text: /secret.*expired/, code: 7000222 },
  { error: "invalid_client", text: /invalid secret/, code: 7000215 },
  { error: "invalid_client", text: /authentication mechanism does not match/, code: 7000218 },
  { error: "invalid_client", code: 7000215 },
  { error: "invalid_grant", text: /code_verifier/, code: 50148 },
  { error: "invalid_grant", text: /refresh token already used/, code: 50173 },
  { error: "invalid_grant", text: /already consumed/, code: 54005 },
  { error: "invalid_grant", text: /expired/, code: 70008 },
  { error: "invalid_grant", text: /refresh token not found|grant not found/, code: 50173 },
  { error: "invalid_grant", code: 70000 },
  { error: "invalid_request", text: /requires PKCE/, code: 9002325 },
  {
    error: "invalid_request",
    text: /missing required parameter|must be provided|no client authentication mechanism/,
    code: 900144,
  },
  { error: "invalid_request", code: 9002313 },
  { error: "invalid_redirect_uri", code: 50011 },
  { error: "invalid_scope", code: 70011 },
  { error: "insufficient_scope", code: 70011 },
  { error: "invalid_target", code: 500011 },
  { error: "invalid_resource", code: 500011 },
  { error: "invalid_token", code: 50013 },
  { error: "login_required", code: 50058 },
  { error: "consent_required", code: 65001 },
  { error: "interaction_required", code: 700020 },
  { error: "access_denied", code: 65004 },
  { error: "unauthorized_client", code: 7000112 },
  { error: "unsupported_grant_type", code: 70003 },
  { error: "unsupported_response_type", code: 70005 },
  { error: "invalid_tenant", code: 90002 },
];

/**
 * The Entra-compatible code for an error: the code it was tagged with, else the `AST<code>: `
 * its description starts with, else the rule for oidc-provider's error, else 9002313 for any
 * other client error and 50000 for a server error.
 *
 * @example
 * classifyError({ error: "invalid_grant", detail: "code_verifier does not match code_challenge" }); // 50148
 */
export function classifyError(facts: ErrorFacts): number {
  const tagged = entraCodeOf(facts.thrown) ?? codeInDescription(facts.description);
  if (tagged !== undefined) return tagged;
  const text = `${facts.detail ?? ""} ${facts.description ?? ""}`;
  for (const rule of RULES) {
    if (rule.error === facts.error && (!rule.text || rule.text.test(text))) return rule.code;
  }
  return facts.error === "server_error" || facts.error === "temporarily_unavailable"
    ? 50000
    : 9002313;
}
