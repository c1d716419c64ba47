/**
 * More of oidc-provider 9's API, declared beside oidc-provider.d.ts (ambient declarations of a
 * module merge): what the consent screens use to materialise grants and what the first-party
 * pages (My apps, admin consent) use to share the tenant's sign-in session.
 */
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  interface GrantInstance {
    /** Granted OIDC scopes and claims; cleared to rebuild the grant from the consent records. */
    openid?: unknown;
    /** Granted resource scopes by resource indicator. */
    resources?: unknown;
    /** Scopes the user rejected. */
    rejected?: unknown;
  }

  interface InteractionInstance {
    /** Saves the interaction again for the rest of its lifetime. */
    persist(): Promise<unknown>;
  }

  interface SessionInstance {
    jti: string;
    exp?: number;
    loginAccount(details: { accountId: string; transient?: boolean }): void;
    save(ttl: number): Promise<unknown>;
  }

  interface SessionStatic {
    new (): SessionInstance;
    /** The session of the request's session cookie (a new, empty one when there is none). */
    get(ctx: { req: IncomingMessage; res: ServerResponse }): Promise<SessionInstance>;
  }

  interface KoaCookies {
    get(name: string, options?: { signed?: boolean }): string | undefined;
    set(name: string, value: string | null, options?: Record<string, unknown>): void;
  }

  interface Provider {
    readonly Session: SessionStatic;
    createContext(req: IncomingMessage, res: ServerResponse): { cookies: KoaCookies };
  }
}
