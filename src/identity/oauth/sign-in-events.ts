import type { KoaContextWithOIDC, Provider } from "oidc-provider";
import type { SignInEvent, SignInRecorder, SignInStatus } from "../activity/index.ts";
import type { User } from "../directory/index.ts";
import { classifyError } from "./errors/classify.ts";
import { requestContextOf } from "./errors/request-context.ts";

// Codes that stop a sign-in at a page the user can act on (consent, approval), not a failure.
const INTERRUPTS = new Set([65001, 65004, 90094, 90095]);

type Base = Pick<
  SignInEvent,
  "requestId" | "correlationId" | "createdAt" | "ipAddress" | "userAgent"
>;

/** The request-bound fields: the same request id the error page's troubleshooting block shows. */
export function requestFields(ctx: { req: import("node:http").IncomingMessage }): Base {
  const context = requestContextOf(ctx.req);
  const agent = ctx.req.headers["user-agent"];
  return {
    requestId: context.requestId,
    correlationId: context.correlationId,
    createdAt: context.timestamp,
    ipAddress: context.ip,
    userAgent: typeof agent === "string" ? agent : undefined,
  };
}

function statusOf(code: number): SignInStatus {
  return INTERRUPTS.has(code) ? "interrupted" : "failure";
}

function codeOf(error: unknown): number {
  const e = error as { error?: string; error_description?: string; error_detail?: string };
  return classifyError({
    error: e.error ?? "server_error",
    description: e.error_description,
    detail: e.error_detail,
    thrown: error,
  });
}

function app(ctx: KoaContextWithOIDC): SignInEvent["app"] {
  const client = ctx.oidc?.client;
  if (client) return { appId: client.clientId, displayName: client.clientName };
  const id = ctx.oidc?.params?.client_id;
  return typeof id === "string" ? { appId: id } : undefined;
}

function userOf(ctx: KoaContextWithOIDC): SignInEvent["user"] {
  const entities = ctx.oidc?.entities as
    | Record<string, { accountId?: string } | undefined>
    | undefined;
  const accountId =
    entities?.AuthorizationCode?.accountId ??
    entities?.RefreshToken?.accountId ??
    ctx.oidc?.session?.accountId;
  return typeof accountId === "string" ? { id: accountId } : undefined;
}

/**
 * Records a sign-in event for what the protocol endpoints decide: token requests (client
 * credentials as service-principal sign-ins; code and refresh as non-interactive user
 * sign-ins), authorization errors (interactive), and single sign-on from an existing session.
 * Password sign-ins are recorded by the sign-in form, which knows the user name typed.
 * Every user event names the user by id, user principal name and display name, as the
 * administrator searches for them; `findUser` is the tenant catalog's user lookup, which the
 * request has usually warmed already (findAccount), so naming costs no database round trip.
 * `record` never waits on the database, so none of this slows the request.
 */
export function recordProviderSignIns(
  provider: Provider,
  tenantId: string,
  signIns: SignInRecorder,
  findUser: (id: string) => Promise<User | undefined>,
): void {
  const on = provider.on.bind(provider) as (event: string, fn: (...args: any[]) => void) => void;
  const withUser = (ctx: KoaContextWithOIDC, event: Omit<SignInEvent, "user">) => {
    const user = userOf(ctx);
    if (!user?.id) return signIns.record(event);
    findUser(user.id).then(
      (found) =>
        signIns.record({
          ...event,
          user: found
            ? {
                id: found.id,
                userPrincipalName: found.userPrincipalName,
                displayName: found.displayName,
              }
            : user,
        }),
      () => signIns.record({ ...event, user }),
    );
  };
  on("grant.success", (ctx: KoaContextWithOIDC) => {
    const appOnly = ctx.oidc.params?.grant_type === "client_credentials";
    const event: Omit<SignInEvent, "user"> = {
      tenantId,
      ...requestFields(ctx),
      eventType: appOnly ? "servicePrincipal" : "nonInteractiveUser",
      status: "success",
      app: app(ctx),
      clientAppUsed:
        ctx.oidc.client?.clientAuthMethod === "none" ? "Public client" : "Confidential client",
      additionalDetails: { grantType: ctx.oidc.params?.grant_type },
    };
    if (appOnly) signIns.record(event);
    else withUser(ctx, event);
  });
  on("grant.error", (ctx: KoaContextWithOIDC, error: unknown) => {
    const code = codeOf(error);
    const appOnly = ctx.oidc?.params?.grant_type === "client_credentials";
    const event: Omit<SignInEvent, "user"> = {
      tenantId,
      ...requestFields(ctx),
      eventType: appOnly ? "servicePrincipal" : "nonInteractiveUser",
      status: statusOf(code),
      errorCode: code,
      failureReason: (error as { error_description?: string }).error_description,
      app: app(ctx),
      additionalDetails: { grantType: ctx.oidc?.params?.grant_type },
    };
    if (appOnly) signIns.record(event);
    else withUser(ctx, event);
  });
  on("authorization.error", (ctx: KoaContextWithOIDC, error: unknown) => {
    const code = codeOf(error);
    withUser(ctx, {
      tenantId,
      ...requestFields(ctx),
      eventType: "interactiveUser",
      status: statusOf(code),
      errorCode: code,
      failureReason: (error as { error_description?: string }).error_description,
      app: app(ctx),
      clientAppUsed: "Browser",
    });
  });
  on("authorization.success", (ctx: KoaContextWithOIDC) => {
    // After an interaction ("resume") the sign-in form has recorded it; here only single sign-on.
    if (ctx.oidc.route !== "authorization") return;
    withUser(ctx, {
      tenantId,
      ...requestFields(ctx),
      eventType: "nonInteractiveUser",
      status: "success",
      app: app(ctx),
      clientAppUsed: "Browser",
      additionalDetails: { singleSignOn: true },
    });
  });
}
