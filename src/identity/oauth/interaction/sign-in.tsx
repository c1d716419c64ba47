import type { FastifyReply, FastifyRequest } from "fastify";
import { authenticate } from "../../directory/index.ts";
import { renderPage, SignInPage } from "../../pages/index.ts";
import { catalogEntry } from "../error-catalog.ts";
import { requestContextOf } from "../errors/request-context.ts";
import type { OAuthDeps } from "../provider/runtime.ts";
import { requestFields } from "../sign-in-events.ts";
import type { InteractionScope } from "./interaction-context.ts";
import { readRememberedAccounts, rememberAccount } from "./remembered-accounts.ts";
import { blockedUntil, recordFailure, recordSuccess, subjectsOf } from "./throttle.ts";

// One message for every failed password sign-in, so the page does not tell which user names
// exist or are disabled; the precise code goes to the sign-in log.
const FAILED = "Your user name or password is incorrect.";
const LOCKED =
  "Your account is temporarily locked to prevent unauthorised use. Try again in a few minutes.";

const FAILURE_CODES = {
  unknown_user: 50034,
  wrong_password: 50126,
  no_password: 50126,
  disabled: 50057,
} as const;

/** Renders "Sign in" for the interaction. */
export function sendSignIn(
  reply: FastifyReply,
  scope: InteractionScope,
  options: { username?: string | undefined; error?: string | undefined; status?: number } = {},
): FastifyReply {
  const hint = scope.details.params.login_hint;
  const domain = scope.details.params.domain_hint;
  return reply
    .code(options.status ?? 200)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(
      renderPage(
        <SignInPage
          appName={scope.appName}
          tenantName={scope.tenantProvider.runtime.tenant.displayName}
          actionUrl={`${scope.basePath}/login`}
          cancelUrl={`${scope.basePath}/cancel`}
          csrfToken={scope.csrfToken}
          username={options.username ?? (typeof hint === "string" ? hint : "")}
          error={options.error}
          domainHint={
            typeof domain === "string" && /^[a-z0-9.-]{1,253}$/i.test(domain) ? domain : undefined
          }
        />,
      ),
    );
}

/**
 * POST of the sign-in form: throttle check, password check, then the login result handed to
 * oidc-provider. Every attempt is logged as a sign-in event with its Entra code.
 */
export async function handleSignIn(
  request: FastifyRequest,
  reply: FastifyReply,
  scope: InteractionScope,
  deps: OAuthDeps,
): Promise<FastifyReply> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const username = typeof body.username === "string" ? body.username.trim() : "";
  const password = typeof body.password === "string" ? body.password : "";
  if (!username || !password)
    return sendSignIn(reply, scope, { username, error: "Enter your user name and password." });
  const { tenant } = scope.tenantProvider.runtime;
  const context = requestContextOf(request.raw);
  const log = (code: number | undefined, userId?: string) => {
    deps.signIns.record({
      tenantId: tenant.id,
      ...requestFields({ req: request.raw }),
      eventType: "interactiveUser",
      status: code === undefined ? "success" : "failure",
      errorCode: code,
      failureReason: code === undefined ? undefined : catalogEntry(code)?.message,
      user: { id: userId, userPrincipalName: username.toLowerCase() },
      app: { appId: String(scope.details.params.client_id ?? ""), displayName: scope.appName },
      clientAppUsed: "Browser",
    });
    request.log.info(
      {
        signIn: {
          tenantId: tenant.id,
          appId: scope.details.params.client_id,
          userPrincipalName: username.toLowerCase(),
          userId,
          result: code === undefined ? "success" : "failure",
          errorCode: code,
          correlationId: context.correlationId,
          ip: request.ip,
        },
      },
      "sign-in",
    );
  };

  const subjects = subjectsOf(username, request.ip);
  if (await blockedUntil(deps.db, tenant.id, subjects)) {
    log(50053);
    return sendSignIn(reply, scope, { username, error: LOCKED, status: 429 });
  }
  const result = await authenticate(deps.db, tenant.id, username, password);
  if (!result.ok) {
    await recordFailure(deps.db, tenant.id, subjects);
    log(FAILURE_CODES[result.reason]);
    return sendSignIn(reply, scope, { username, error: FAILED });
  }
  await recordSuccess(deps.db, tenant.id, subjects);
  log(undefined, result.user.id);
  const remembered = readRememberedAccounts(
    scope.accountsKey,
    request.cookies[scope.accountsCookie],
  );
  reply.setCookie(
    scope.accountsCookie,
    rememberAccount(scope.accountsKey, remembered, result.user.id),
    {
      path: scope.basePath.slice(0, scope.basePath.lastIndexOf("/")),
      httpOnly: true,
      sameSite: "lax",
      secure: scope.secure,
      // 90 days: as long as a refresh token, so the picker knows accounts still in use.
      maxAge: 90 * 24 * 60 * 60,
    },
  );
  const selecting = scope.details.prompt.name === "select_account";
  return scope.finish({
    login: { accountId: result.user.id },
    ...(selecting ? { select_account: {} } : {}),
  });
}
