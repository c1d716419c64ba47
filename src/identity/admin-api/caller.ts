import type { AuditActor } from "../activity/audit-log.ts";
import type { DirectoryRole } from "../directory/index.ts";

/**
 * Who is calling the admin API, from a verified access token. The tenant is ALWAYS the token's
 * `tid`: no route takes a tenant from its path, so a caller can only ever reach its own
 * tenant's data.
 */
export type AdminCaller =
  | {
      /** A user, through an app holding delegated permissions (`scp`). */
      kind: "delegated";
      tenantId: string;
      userId: string;
      userPrincipalName: string | undefined;
      /** The client application's id (`azp`). */
      appId: string | undefined;
      scopes: ReadonlySet<string>;
      /** The user's directory roles now, looked up when the request was authorised. */
      directoryRoles: readonly DirectoryRole[];
    }
  | {
      /** An application on its own, with application permissions (`roles`). */
      kind: "application";
      tenantId: string;
      /** The client's service principal in the tenant (`oid`). */
      servicePrincipalId: string;
      appId: string | undefined;
      roles: ReadonlySet<string>;
    };

/** The caller as an audit log actor ("Initiated by"). */
export function actorOf(caller: AdminCaller): AuditActor {
  return caller.kind === "delegated"
    ? {
        type: "user",
        id: caller.userId,
        ...(caller.userPrincipalName ? { userPrincipalName: caller.userPrincipalName } : {}),
      }
    : {
        type: "application",
        id: caller.servicePrincipalId,
        ...(caller.appId ? { displayName: caller.appId } : {}),
      };
}
