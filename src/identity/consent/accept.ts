import type { RequestDecision } from "./request-decision.ts";

/** What an "Accept" on the consent screen records, or that it is refused (AADSTS90093). */
export type Acceptance =
  | {
      kind: "record";
      /** Per resource (app id): the scopes to grant; empty when nothing is left to grant. */
      parts: Array<{ resourceAppId: string; scopes: string[] }>;
    }
  | { kind: "refuse" };

/** `{resourceAppId}/{value}` pairs, as the screen's `permissions` field names them. */
function pairs(parts: ReadonlyArray<{ resourceAppId: string; values: readonly string[] }>) {
  return new Set(parts.flatMap((p) => p.values.map((v) => `${p.resourceAppId}/${v}`)));
}

/**
 * Judges an "Accept" against the decision recomputed when it is posted. `shown` is what the
 * page asked for (`{resourceAppId}/{value}` pairs): the page was drawn from an earlier
 * decision, and another tab of the same user (concurrent first sign-ins, a double click) may
 * have granted some or all of it since. So the Accept stands when the page showed everything
 * still missing and nothing beyond what is now missing or granted, and records only what is
 * missing — nothing at all when a concurrent Accept already granted it, so every tab goes on
 * with a code instead of some getting 90093. It is refused when the decision no longer lets
 * this user consent (approval needed, say), when the page lacks something missing now, or
 * names something neither missing nor granted; "on behalf of your organization" further needs
 * a decision that offers it (an already granted request offers nothing).
 *
 * @example
 * acceptConsent(decision, ["<mail app id>/openid", "<mail app id>/profile"], false);
 * // { kind: "record", parts: [] } once another tab's Accept granted both
 */
export function acceptConsent(
  decision: RequestDecision,
  shown: readonly string[],
  forOrganization: boolean,
): Acceptance {
  if (decision.kind === "granted") {
    if (forOrganization) return { kind: "refuse" };
  } else if (decision.kind === "user_consent" || decision.kind === "admin_consent") {
    if (forOrganization && !decision.canConsentForOrganization) return { kind: "refuse" };
  } else {
    return { kind: "refuse" };
  }
  const missing = pairs(decision.parts.map((p) => ({ ...p, values: p.missing })));
  const granted = pairs(decision.parts.map((p) => ({ ...p, values: p.granted })));
  const seen = new Set(shown);
  for (const pair of missing) if (!seen.has(pair)) return { kind: "refuse" };
  for (const pair of seen) if (!missing.has(pair) && !granted.has(pair)) return { kind: "refuse" };
  return {
    kind: "record",
    parts: decision.parts
      .filter((p) => p.missing.length > 0)
      .map((p) => ({
        resourceAppId: p.resourceAppId,
        scopes: forOrganization ? [...p.granted, ...p.missing] : [...p.missing],
      })),
  };
}
