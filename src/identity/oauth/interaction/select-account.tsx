import type { FastifyReply, FastifyRequest } from "fastify";
import { getUser, type User } from "../../directory/index.ts";
import { PickAccountPage, type PickableAccount, renderPage } from "../../pages/index.ts";
import type { OAuthDeps } from "../provider/runtime.ts";
import type { InteractionScope } from "./interaction-context.ts";
import { readRememberedAccounts } from "./remembered-accounts.ts";
import { sendSignIn } from "./sign-in.tsx";

/** The accounts this browser used with the tenant, the signed-in one first. */
async function pickableAccounts(
  request: FastifyRequest,
  scope: InteractionScope,
  deps: OAuthDeps,
): Promise<PickableAccount[]> {
  const tenantId = scope.tenantProvider.runtime.tenant.id;
  const signedIn = scope.details.session?.accountId;
  const ids = readRememberedAccounts(scope.accountsKey, request.cookies[scope.accountsCookie]);
  const ordered = signedIn ? [signedIn, ...ids.filter((id) => id !== signedIn)] : ids;
  const users = await Promise.all(ordered.map((id) => getUser(deps.db, tenantId, id)));
  return users
    .filter((u): u is User => Boolean(u?.enabled))
    .map((u) => ({
      id: u.id,
      displayName: u.displayName,
      userPrincipalName: u.userPrincipalName,
      signedIn: u.id === signedIn,
    }));
}

/** "Pick an account" (prompt=select_account), or straight to "Sign in" when there is none. */
export async function sendPickAccount(
  request: FastifyRequest,
  reply: FastifyReply,
  scope: InteractionScope,
  deps: OAuthDeps,
): Promise<FastifyReply> {
  const accounts = await pickableAccounts(request, scope, deps);
  if (accounts.length === 0) return sendSignIn(reply, scope);
  return reply
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(
      renderPage(
        <PickAccountPage
          appName={scope.appName}
          actionUrl={`${scope.basePath}/select-account`}
          cancelUrl={`${scope.basePath}/cancel`}
          csrfToken={scope.csrfToken}
          accounts={accounts}
        />,
      ),
    );
}

/**
 * POST of "Pick an account": the signed-in account continues without a password (the session
 * already proves it); another remembered account, or "Use another account", signs in.
 */
export async function handlePickAccount(
  request: FastifyRequest,
  reply: FastifyReply,
  scope: InteractionScope,
  deps: OAuthDeps,
): Promise<FastifyReply> {
  const picked = (request.body as Record<string, unknown> | undefined)?.account;
  const accounts = await pickableAccounts(request, scope, deps);
  const account = accounts.find((a) => a.id === picked);
  if (account?.signedIn) return scope.finish({ select_account: {} });
  return sendSignIn(reply, scope, { username: account?.userPrincipalName ?? "" });
}
