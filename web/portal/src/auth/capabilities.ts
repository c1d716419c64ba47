import { useSyncExternalStore } from "react";
import { api, asApiError, type PortalApiError } from "../api/client.ts";

/**
 * What the signed-in administrator may do, so that pages show only the actions that will
 * succeed (the API enforces the same rules; this only keeps the UI honest).
 *
 * `GET /api/v1/me` answers the signed-in user's directory roles and the capabilities they
 * imply, computed on the server from the permissions the routes are declared with. It is
 * loaded once per page load (`loadMe`, called by the app shell before it shows a page); until
 * it has answered, every capability reads as NOT granted, so no write action flashes into view
 * for a reader.
 *
 * @example
 * const can = useCan();
 * {can("directory.write") ? <button>New user</button> : null}
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
  | "logs.read"
  // Added with /api/v1/me: pages the nav shows, and the consent settings' separate writes.
  | "consentRequests.read"
  | "consentRequestPolicy.write"
  | "permissionClassifications.write"
  | "policies.read"
  | "webhooks.read";

/** The signed-in user as `GET /api/v1/me` answers. */
export interface Me {
  kind: "user" | "application";
  id: string;
  userPrincipalName: string | null;
  displayName: string | null;
  /** The caller's organization (tenant), as "Grant admin consent for {organization}" names it. */
  organization?: { id: string; displayName: string } | undefined;
  directoryRoles: Array<{ id: string; displayName: string }>;
  isConsentRequestReviewer: boolean;
  capabilities: Capability[];
  /** Per role-bound capability, the roles (display names) that grant it. */
  requiredRoles: Partial<Record<Capability, string[]>>;
}

export interface MeState {
  me: Me | undefined;
  error: PortalApiError | undefined;
  loading: boolean;
}

let state: MeState = { me: undefined, error: undefined, loading: false };
let pending: Promise<void> | undefined;
const listeners = new Set<() => void>();

function set(next: MeState): void {
  state = next;
  for (const l of listeners) l();
}

/** Loads /api/v1/me (once; again only after a failure). */
export function loadMe(): Promise<void> {
  if (state.me) return Promise.resolve();
  if (pending) return pending;
  set({ me: undefined, error: undefined, loading: true });
  pending = api<Me>("GET", "/api/v1/me").then(
    (me) => set({ me, error: undefined, loading: false }),
    (error: unknown) => set({ me: undefined, error: asApiError(error), loading: false }),
  );
  void pending.finally(() => {
    pending = undefined;
  });
  return pending;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The signed-in user and whether /api/v1/me has answered. */
export function useMe(): MeState {
  return useSyncExternalStore(subscribe, () => state);
}

/** A check for the signed-in user's capabilities. */
export function useCan(): (capability: Capability) => boolean {
  const { me } = useMe();
  return (capability) => me?.capabilities.includes(capability) ?? false;
}

/** The roles that grant a capability, in words ("A, B or C"), as the server lists them. */
export function useRolesFor(): (capability: Capability) => string | undefined {
  const { me } = useMe();
  return (capability) => {
    const roles = me?.requiredRoles[capability];
    if (!roles || roles.length === 0) return undefined;
    return roles.length === 1 ? roles[0] : `${roles.slice(0, -1).join(", ")} or ${roles.at(-1)}`;
  };
}

/** "You can view this but not change it: that needs …", naming the roles the server lists. */
export function useReadOnlyNote(): (capability: Capability) => string {
  const rolesFor = useRolesFor();
  return (capability) => {
    const names = rolesFor(capability);
    return names
      ? `You can view this but not change it: that needs the role ${names}.`
      : "You can view this but not change it.";
  };
}
