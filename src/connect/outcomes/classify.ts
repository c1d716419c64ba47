/**
 * The approval-aware heart of Connect: one pure function from what a provider answered (on the
 * callback or at its token endpoint) to a typed outcome. No I/O; the callback loads its input
 * and acts on the result. Entra (and Assent Identity) give a numeric code in `error_codes`, or
 * only inside `error_description` ("AADSTS90095: …", Assent writes "AST90095: …"); Google gives
 * a bare `error` word.
 */

export const OUTCOMES = [
  "consent_required",
  "admin_approval_required",
  "approval_requested",
  "not_assigned",
  "app_disabled",
  "app_not_found_in_tenant",
  "admin_policy_enforced",
  "org_internal",
  "user_declined",
  "provider_error",
] as const;

export type OutcomeKind = (typeof OUTCOMES)[number];

/** The error parameters a provider sent (front channel) or returned (token endpoint JSON). */
export interface ProviderErrorResponse {
  error?: string | undefined;
  error_description?: string | undefined;
  /** Entra: `[90095]` on the front channel, a number array in JSON. */
  error_codes?: unknown;
  error_subcode?: string | undefined;
  suberror?: string | undefined;
  /** Entra's troubleshooting fields: what the organisation's administrator looks up. */
  trace_id?: string | undefined;
  correlation_id?: string | undefined;
  timestamp?: string | undefined;
}

export interface Outcome {
  kind: OutcomeKind;
  /** The provider's numeric code when it gave one (90095), for support and the app. */
  providerCode: number | undefined;
}

// Entra codes and what they mean for a connection (docs/connect.md lists them).
const BY_CODE: Record<number, OutcomeKind> = {
  65001: "consent_required",
  65004: "user_declined",
  90093: "admin_approval_required",
  90094: "admin_approval_required",
  90095: "approval_requested",
  50105: "not_assigned",
  7000112: "app_disabled",
  700016: "app_not_found_in_tenant",
};

/** The first code in `error_codes`: a number array, a JSON text like "[90095]", or "90095,…". */
export function codeFromErrorCodes(value: unknown): number | undefined {
  const first = Array.isArray(value)
    ? value[0]
    : typeof value === "string"
      ? /\d{4,8}/.exec(value)?.[0]
      : value;
  const n = typeof first === "string" ? Number(first) : first;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The code an Entra-style description starts with: `AADSTS90095: …` or Assent's `AST90095: …`. */
export function codeFromDescription(description: string | undefined): number | undefined {
  const match = /\b(?:AADSTS|AST)(\d{4,8})\b/.exec(description ?? "");
  return match?.[1] ? Number(match[1]) : undefined;
}

/**
 * Classifies a provider's error. `error_codes` wins over the description; a known code wins
 * over the `error` word (Entra sends `access_denied` for several different situations).
 *
 * @example
 * classify({ error: "access_denied", error_description: "AST90095: Approval required" })
 * // { kind: "approval_requested", providerCode: 90095 }
 */
export function classify(response: ProviderErrorResponse): Outcome {
  const providerCode =
    codeFromErrorCodes(response.error_codes) ?? codeFromDescription(response.error_description);
  const byCode = providerCode === undefined ? undefined : BY_CODE[providerCode];
  if (byCode) return { kind: byCode, providerCode };
  const error = (response.error ?? "").toLowerCase();
  const kind: OutcomeKind =
    error === "admin_policy_enforced"
      ? "admin_policy_enforced"
      : error === "org_internal"
        ? "org_internal"
        : error === "consent_required" || response.suberror === "consent_required"
          ? "consent_required"
          : error === "access_denied" && providerCode === undefined
            ? "user_declined"
            : "provider_error";
  return { kind, providerCode };
}

/** Outcomes only an administrator of the user's organisation can clear. */
export function needsAdministrator(kind: OutcomeKind): boolean {
  return (
    kind === "admin_approval_required" ||
    kind === "approval_requested" ||
    kind === "admin_policy_enforced"
  );
}
