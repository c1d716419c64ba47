/**
 * What the signed-in administrator may do, so that pages show only the actions that will
 * succeed (the API enforces the same rules; this only keeps the UI honest).
 * Being replaced by the server's answer (`GET /api/v1/me`); until then every capability reads
 * as granted and the API's 403s are shown in words.
 */
export type Capability =
  | "directory.read"
  | "directory.write"
  | "roles.write"
  | "applications.write"
  | "assignments.write"
  | "grants.write"
  | "consentPolicy.write"
  | "consentRequests.approve"
  | "consentRequests.decide"
  | "webhooks.write"
  | "logs.read";

/** A check for the signed-in user's capabilities. */
export function useCan(): (capability: Capability) => boolean {
  return () => true;
}
