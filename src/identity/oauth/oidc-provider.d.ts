/**
 * The part of oidc-provider 9's API that Assent uses. The package ships no type declarations
 * (and @types/oidc-provider trails the releases), so the surface is declared here, narrowly:
 * a wrong declaration fails the tests, not the type check, so keep it to what the code calls.
 */
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  export type UnknownObject = Record<string, unknown>;

  export interface AdapterPayload extends UnknownObject {
    jti?: string;
    kind?: string;
    grantId?: string;
    uid?: string;
    userCode?: string;
    consumed?: unknown;
    exp?: number;
  }

  /** The 7-method storage contract (docs: "adapter"). */
  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface ClientInstance {
    clientId: string;
    clientName?: string;
    clientAuthMethod: string;
    redirectUris: string[];
    [key: string]: unknown;
  }

  export interface ClientStatic {
    prototype: ClientInstance & {
      compareClientSecret(actual: string): boolean | Promise<boolean>;
    };
    find(id: string): Promise<ClientInstance | undefined>;
  }

  export interface GrantInstance {
    jti?: string;
    accountId: string;
    clientId: string;
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    getOIDCScope(): string;
    getResourceScope(resource: string): string;
    save(ttl?: number): Promise<string>;
  }

  export interface GrantStatic {
    new (properties: { accountId: string; clientId: string }): GrantInstance;
    find(id: string): Promise<GrantInstance | undefined>;
  }

  export interface SessionInstance {
    uid: string;
    accountId?: string;
    grantIdFor(clientId: string): string | undefined;
    [key: string]: unknown;
  }

  export interface InteractionInstance {
    uid: string;
    jti: string;
    exp: number;
    returnTo: string;
    prompt: { name: string; reasons: string[]; details: UnknownObject };
    params: UnknownObject & { client_id?: string; login_hint?: string; domain_hint?: string };
    session?: { uid?: string; accountId?: string; cookie?: string };
    grantId?: string;
    lastSubmission?: UnknownObject;
    result?: UnknownObject;
  }

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: "opaque" | "jwt";
    jwt?: { sign?: { alg?: string; kid?: string } };
  }

  export interface TokenLike {
    kind: string;
    jti: string;
    accountId?: string;
    clientId?: string;
    grantId?: string;
    scope?: string;
    resource?: string | string[];
    scopes: Set<string>;
    aud?: string | string[];
    resourceServer?: { audience?: string; identifier(): string };
    [key: string]: unknown;
  }

  /** `ctx.oidc`: oidc-provider's per-request state. */
  export interface OIDCContext {
    route: string;
    params?: UnknownObject & { scope?: string; resource?: string | string[]; client_id?: string };
    body?: UnknownObject;
    client?: ClientInstance;
    session?: SessionInstance;
    account?: { accountId: string };
    grant?: GrantInstance;
    result?: UnknownObject;
    prompts: Set<string>;
    entities: UnknownObject & {
      Account?: { accountId: string };
      AuthorizationCode?: TokenLike;
      RefreshToken?: TokenLike;
      AccessToken?: TokenLike;
      ClientCredentials?: TokenLike;
      Grant?: GrantInstance;
    };
    requestParamScopes: Set<string>;
    requestParamOIDCScopes: Set<string>;
    /** The resource servers of the request (RFC 8707), by resource indicator. */
    resourceServers: Record<string, { scopes: Set<string> }>;
    provider: Provider;
    urlFor(name: string, options?: UnknownObject): string;
    promptPending(name: string): boolean;
  }

  /** The Koa context oidc-provider runs on. */
  export interface KoaContextWithOIDC {
    req: IncomingMessage;
    res: ServerResponse;
    method: string;
    path: string;
    url: string;
    ip: string;
    status: number;
    body: unknown;
    type: string;
    href: string;
    secure: boolean;
    query: Record<string, string | string[] | undefined>;
    state: UnknownObject;
    oidc: OIDCContext;
    get(header: string): string;
    set(header: string, value: string): void;
    is(...types: string[]): string | false | null;
  }

  export type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;

  export interface InteractionResults {
    login?: { accountId: string; remember?: boolean; ts?: number; amr?: string[]; acr?: string };
    consent?: { grantId?: string };
    select_account?: UnknownObject;
    error?: string;
    error_description?: string;
    [key: string]: unknown;
  }

  export class Provider {
    constructor(issuer: string, configuration: UnknownObject);
    readonly issuer: string;
    proxy: boolean;
    readonly Client: ClientStatic;
    readonly Grant: GrantStatic;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    use(middleware: Middleware): this;
    on(event: string, listener: (...args: never[]) => void): this;
    cookieName(type: "session" | "interaction" | "resume"): string;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionInstance>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
  }

  export namespace errors {
    class OIDCProviderError extends Error {
      error: string;
      error_description?: string;
      error_detail?: string;
      status: number;
      statusCode: number;
      expose: boolean;
      allow_redirect: boolean;
    }
    class InvalidRequest extends OIDCProviderError {
      constructor(description?: string, code?: number);
    }
    class InvalidClient extends OIDCProviderError {
      constructor(description?: string, detail?: string);
    }
    class InvalidClientAuth extends OIDCProviderError {
      constructor(detail?: string);
    }
    class InvalidGrant extends OIDCProviderError {
      constructor(detail?: string);
    }
    class InvalidScope extends OIDCProviderError {
      constructor(description: string, scope?: string);
    }
    class InvalidTarget extends OIDCProviderError {
      constructor(description?: string);
    }
    class AccessDenied extends OIDCProviderError {
      constructor(description?: string, detail?: string);
    }
    class UnauthorizedClient extends OIDCProviderError {
      constructor(description?: string, detail?: string);
    }
    class LoginRequired extends OIDCProviderError {
      constructor(description?: string);
    }
    class SessionNotFound extends InvalidRequest {}
    class CustomOIDCProviderError extends OIDCProviderError {
      constructor(error: string, description?: string);
    }
  }

  export namespace interactionPolicy {
    class Check {
      constructor(
        reason: string,
        description: string,
        error: string,
        check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>,
      );
    }
    class Prompt {
      constructor(options: { name: string; requestable: boolean }, ...checks: Check[]);
      name: string;
      checks: Check[] & { remove(reason: string): void };
    }
    type Policy = Prompt[] & {
      get(name: string): Prompt | undefined;
      add(prompt: Prompt, index?: number): void;
    };
    function base(): Policy;
  }

  export default Provider;
}

/** oidc-provider's private per-instance state (used to wrap the built-in response modes). */
declare module "oidc-provider/lib/helpers/weak_cache.js" {
  type ResponseMode = (
    ctx: import("oidc-provider").KoaContextWithOIDC,
    redirectUri: string,
    payload: Record<string, string>,
  ) => unknown;
  export default function instance(provider: import("oidc-provider").Provider): {
    responseModes: Map<string, ResponseMode>;
  };
}
