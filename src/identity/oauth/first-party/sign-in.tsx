import type { FastifyReply, FastifyRequest } from "fastify";
import { authenticate } from "../../directory/index.ts";
import { renderPage, SignInPage } from "../../pages/index.ts";
import { blockedUntil, recordFailure, recordSuccess, subjectsOf } from "../interaction/throttle.ts";
import type { FirstPartyContext } from "./context.ts";
import { startTenantSession } from "./tenant-session.ts";

// The interaction's wording (interaction/sign-in.tsx): one message for every failure.
const FAILED = "Your user name or password is incorrect.";
const LOCKED =
  "Your account is temporarily locked to prevent unauthorised use. Try again in a few minutes.";

export interface FirstPartySignIn {
  /** Names the CSRF purpose of the form: one per page that signs in. */
  flow: string;
  /** Shown as "to continue to …". */
  appName: string;
  actionUrl: string;
  cancelUrl: string;
  /** Where a successful sign-in continues (a GET of the page that asked). */
  next: string;
}

export function sendFirstPartySignIn(
  reply: FastifyReply,
  ctx: FirstPartyContext,
  form: FirstPartySignIn,
  options: { username?: string; error?: string; status?: number } = {},
): FastifyReply {
  return reply
    .code(options.status ?? 200)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(
      renderPage(
        <SignInPage
          appName={form.appName}
          tenantName={ctx.tenant.displayName}
          actionUrl={form.actionUrl}
          cancelUrl={form.cancelUrl}
          csrfToken={ctx.csrfToken(`sign-in:${form.flow}`)}
          username={options.username ?? ""}
          error={options.error}
        />,
      ),
    );
}

/**
 * POST of a first-party sign-in form: the same checks as the interaction's (CSRF, throttle,
 * password, one message for every failure), then the tenant's session and a redirect to
 * `form.next`. A form whose CSRF token does not verify gets AADSTS50089.
 */
export async function handleFirstPartySignIn(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: FirstPartyContext,
  form: FirstPartySignIn,
  onBadCsrf: () => FastifyReply,
): Promise<FastifyReply> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (!ctx.csrfValid(`sign-in:${form.flow}`, body.csrf_token)) return onBadCsrf();
  const username = typeof body.username === "string" ? body.username.trim() : "";
  const password = typeof body.password === "string" ? body.password : "";
  if (!username || !password)
    return sendFirstPartySignIn(reply, ctx, form, {
      username,
      error: "Enter your user name and password.",
    });
  const { db } = ctx.deps;
  const subjects = subjectsOf(username, request.ip);
  if (await blockedUntil(db, ctx.tenant.id, subjects))
    return sendFirstPartySignIn(reply, ctx, form, { username, error: LOCKED, status: 429 });
  const result = await authenticate(db, ctx.tenant.id, username, password);
  request.log.info(
    {
      signIn: {
        tenantId: ctx.tenant.id,
        appId: form.flow,
        userPrincipalName: username.toLowerCase(),
        userId: result.ok ? result.user.id : undefined,
        result: result.ok ? "success" : "failure",
        correlationId: ctx.requestContext.correlationId,
        ip: request.ip,
      },
    },
    "sign-in",
  );
  if (!result.ok) {
    await recordFailure(db, ctx.tenant.id, subjects);
    return sendFirstPartySignIn(reply, ctx, form, { username, error: FAILED });
  }
  await recordSuccess(db, ctx.tenant.id, subjects);
  await startTenantSession(ctx.tp, request, reply, result.user.id);
  return reply.header("cache-control", "no-store").redirect(form.next, 303);
}
