/**
 * Who is calling, as the validated access token says. Delegated tokens act for a user and carry
 * `scp`; app-only tokens act as the client's service principal and carry `roles`.
 */
export type Caller =
  | {
      kind: "delegated";
      tenantId: string;
      /** The user's object id (`oid`). */
      objectId: string;
      /** `preferred_username`: the user's UPN, which names their mailbox. */
      username: string | undefined;
      name: string | undefined;
      clientId: string | undefined;
      scopes: ReadonlySet<string>;
    }
  | {
      kind: "application";
      tenantId: string;
      /** The client's service principal (`oid`). */
      objectId: string;
      clientId: string | undefined;
      roles: ReadonlySet<string>;
    };

/** Delegated permissions that let a caller read messages; the last two include bodies. */
export const READ_MAIL_SCOPES = ["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"] as const;
export const READ_BODY_SCOPES = ["Mail.Read", "Mail.ReadWrite"] as const;
/** `GET /me` answers with User.Read, or with any mail permission (which implies knowing the user). */
export const PROFILE_SCOPES = ["User.Read", ...READ_MAIL_SCOPES, "Mail.Send"] as const;

/** Application permissions that let an app read any mailbox of its tenant. */
export const READ_MAIL_ROLES = [
  "Mail.ReadBasic.All",
  "Mail.Read.All",
  "Mail.ReadWrite.All",
] as const;
export const READ_BODY_ROLES = ["Mail.Read.All", "Mail.ReadWrite.All"] as const;

/** The first of `needed` the caller holds (a scope or a role, by caller kind), if any. */
export function holdsAny(caller: Caller, needed: readonly string[]): boolean {
  const held = caller.kind === "delegated" ? caller.scopes : caller.roles;
  return needed.some((p) => held.has(p));
}

/** Whether the caller may see message bodies (Mail.ReadBasic and Mail.ReadBasic.All may not). */
export function maySeeBodies(caller: Caller): boolean {
  return holdsAny(caller, caller.kind === "delegated" ? READ_BODY_SCOPES : READ_BODY_ROLES);
}
