import type { ConsentDecision } from "./policy.ts";

/**
 * One authorization request can touch two resources: the OpenID Connect scopes belong to Assent
 * Mail (as Entra's belong to Microsoft Graph) while the other scopes may name another API. The
 * decision runs once per resource (`decideConsent`); this pure function folds the results into
 * the decision for the whole request: the most restrictive row of the table wins, and the
 * screens ask only for what is missing on each resource.
 */

/** What is granted and missing on one resource of the request. */
export interface ResourceCoverage {
  /** The resource's app (client) id. */
  resourceAppId: string;
  granted: string[];
  missing: string[];
}

export type RequestDecision =
  | { kind: "app_disabled"; reason: "disabled" | "blocked" }
  | { kind: "not_assigned" }
  | { kind: "granted"; parts: ResourceCoverage[] }
  | {
      kind: "user_consent" | "admin_consent" | "approval_required" | "admin_approval_needed";
      parts: ResourceCoverage[];
      /** The consent screen offers "Consent on behalf of your organization". */
      canConsentForOrganization: boolean;
      riskyApp: boolean;
    };

// Table order, most restrictive first: a request is decided by its worst resource.
const SEVERITY: Record<ConsentDecision["kind"], number> = {
  app_disabled: 6,
  not_assigned: 5,
  admin_approval_needed: 4,
  approval_required: 4,
  admin_consent: 2,
  user_consent: 1,
  granted: 0,
};

function coverageOf(resourceAppId: string, d: ConsentDecision): ResourceCoverage {
  if (d.kind === "granted") return { resourceAppId, granted: d.scopes, missing: [] };
  if (d.kind === "app_disabled" || d.kind === "not_assigned")
    return { resourceAppId, granted: [], missing: [] };
  return { resourceAppId, granted: d.granted, missing: d.missing };
}

/**
 * Folds per-resource decisions into the request's decision.
 *
 * @example
 * combineDecisions([{ resourceAppId: MAIL, decision: decideConsent(mailInput) }]);
 */
export function combineDecisions(
  parts: ReadonlyArray<{ resourceAppId: string; decision: ConsentDecision }>,
): RequestDecision {
  if (parts.length === 0) return { kind: "granted", parts: [] };
  const worst = parts.reduce((a, b) =>
    SEVERITY[b.decision.kind] > SEVERITY[a.decision.kind] ? b : a,
  ).decision;
  if (worst.kind === "app_disabled") return { kind: "app_disabled", reason: worst.reason };
  if (worst.kind === "not_assigned") return { kind: "not_assigned" };
  const coverage = parts.map((p) => coverageOf(p.resourceAppId, p.decision));
  if (worst.kind === "granted") return { kind: "granted", parts: coverage };
  const decisions = parts.map((p) => p.decision);
  const riskyApp = decisions.some(
    (d) => (d.kind === "approval_required" || d.kind === "admin_approval_needed") && d.riskyApp,
  );
  const canConsentForOrganization =
    worst.kind === "admin_consent" ||
    (worst.kind === "user_consent" &&
      decisions.every((d) => d.kind !== "user_consent" || d.canConsentForOrganization));
  return { kind: worst.kind, parts: coverage, canConsentForOrganization, riskyApp };
}

/** Every scope the request is missing, as `{resourceAppId, value}` pairs. */
export function missingPermissions(
  decision: RequestDecision,
): Array<{ resourceAppId: string; value: string }> {
  if (!("parts" in decision)) return [];
  return decision.parts.flatMap((p) =>
    p.missing.map((value) => ({ resourceAppId: p.resourceAppId, value })),
  );
}
