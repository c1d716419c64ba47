import type { FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "../../../platform/http/errors.ts";
import { isUuid } from "../../../platform/ids.ts";
import {
  getRequesterView,
  type RequesterView,
  withdrawConsentRequest,
} from "../../consent-requests/index.ts";
import {
  ConsentRequestStatusPage,
  MessagePage,
  type RequestStatusShown,
  readableTime,
  renderPage,
} from "../../pages/index.ts";
import { type FirstPartyContext, sendFirstPartyError } from "./context.ts";
import { type FirstPartySignIn, handleFirstPartySignIn, sendFirstPartySignIn } from "./sign-in.tsx";

/**
 * The requester's status page of a consent request (`/{tenant}/consent-requests/{id}`), signed
 * in with the tenant's session as My apps is: where the request stands and "Withdraw" while it
 * is pending. Only the request's own requesters see it; for anyone else (and for an id that
 * does not exist) it is a 404, so the page never tells whether another user's request exists.
 */

export type StatusRequest = FastifyRequest<{
  Params: { tenant: string; requestId: string };
  Querystring: Record<string, string | undefined>;
}>;

function html(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply
    .code(status)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(body);
}

const statusPath = (ctx: FirstPartyContext, requestId: string) =>
  `${ctx.tenantPath}/consent-requests/${requestId}`;

function signInForm(ctx: FirstPartyContext, requestId: string): FirstPartySignIn {
  const path = statusPath(ctx, requestId);
  return {
    flow: "consent-request",
    appName: "your request for approval",
    actionUrl: `${path}/login`,
    cancelUrl: `${path}/cancel`,
    next: path,
  };
}

// Withdraw forms are bound to the request and the session, as My apps' are to the session.
const purpose = (ctx: FirstPartyContext, requestId: string) =>
  `consent-request:${requestId}:${ctx.session?.id ?? ""}`;

function sendNotFound(reply: FastifyReply, ctx: FirstPartyContext): FastifyReply {
  return html(
    reply,
    renderPage(
      <MessagePage
        title="Request not found"
        paragraphs={[
          "There is no request for approval at this address for the account you are signed in with.",
          "If you asked with another account, sign out and sign in with that account.",
        ]}
        link={{ href: `${ctx.tenantPath}/myapps`, text: "Go to My apps" }}
      />,
    ),
    404,
  );
}

/** "Try again": the app's home page when it has a web one, else My apps. */
function tryAgainUrl(ctx: FirstPartyContext, view: RequesterView): string {
  const home = view.app.homepageUrl ? URL.parse(view.app.homepageUrl) : null;
  return home && (home.protocol === "https:" || home.protocol === "http:")
    ? home.href
    : `${ctx.tenantPath}/myapps`;
}

const NOTICES: Record<string, string> = {
  withdrawn: "You withdrew your request.",
  "not-pending": "The request is no longer pending: it was decided or it expired.",
};

export async function sendConsentRequestStatus(
  request: StatusRequest,
  reply: FastifyReply,
  ctx: FirstPartyContext,
): Promise<FastifyReply> {
  const { requestId } = request.params;
  if (!isUuid(requestId)) return sendNotFound(reply, ctx);
  if (!ctx.user) return sendFirstPartySignIn(reply, ctx, signInForm(ctx, requestId));
  const view = await getRequesterView(ctx.deps.db, {
    tenantId: ctx.tenant.id,
    requestId,
    userId: ctx.user.id,
  });
  if (!view) return sendNotFound(reply, ctx);
  // A requester who withdrew sees "withdrawn" while the request stays open for the others.
  const status: RequestStatusShown =
    view.status === "pending" && view.requester.withdrawnAt ? "withdrawn" : view.status;
  const notice = request.query.notice;
  return html(
    reply,
    renderPage(
      <ConsentRequestStatusPage
        userPrincipalName={ctx.user.userPrincipalName}
        tenantName={ctx.tenant.displayName}
        app={{
          name: view.app.displayName,
          appId: view.app.appId,
          logoUrl: view.app.logoUrl,
          publisherName: view.app.publisherName,
          publisherVerified: view.app.publisherVerified,
        }}
        status={status}
        approvedForYou={view.approvedForYou}
        reason={view.reason}
        justification={view.requester.justification}
        scopes={view.requester.scopes.map((s) => ({
          resourceName: s.resourceDisplayName,
          scopes: s.scopes,
        }))}
        requestedAt={readableTime(view.requester.requestedAt)}
        expiresAt={readableTime(view.expiresAt)}
        decidedAt={view.decidedAt ? readableTime(view.decidedAt) : null}
        withdraw={
          status === "pending"
            ? {
                url: `${statusPath(ctx, requestId)}/withdraw`,
                csrfToken: ctx.csrfToken(purpose(ctx, requestId)),
              }
            : undefined
        }
        tryAgainUrl={
          status === "approved" && view.approvedForYou ? tryAgainUrl(ctx, view) : undefined
        }
        myAppsUrl={`${ctx.tenantPath}/myapps`}
        notice={notice ? NOTICES[notice] : undefined}
      />,
    ),
  );
}

/** POST "Withdraw": takes this user's entry out of the request, then back to the page. */
export async function handleWithdraw(
  request: StatusRequest,
  reply: FastifyReply,
  ctx: FirstPartyContext,
): Promise<FastifyReply> {
  const { requestId } = request.params;
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (!isUuid(requestId)) return sendNotFound(reply, ctx);
  if (!ctx.user)
    return sendFirstPartySignIn(reply, ctx, signInForm(ctx, requestId), { status: 401 });
  if (!ctx.csrfValid(purpose(ctx, requestId), body.csrf_token))
    return sendFirstPartyError(request, reply, ctx, 50089, 403);
  let notice = "withdrawn";
  try {
    await withdrawConsentRequest(ctx.deps.db, {
      tenantId: ctx.tenant.id,
      requestId,
      userId: ctx.user.id,
      correlationId: ctx.requestContext.correlationId,
    });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 404) return sendNotFound(reply, ctx);
    if (error.status !== 409) throw error;
    notice = "not-pending";
  }
  return reply
    .header("cache-control", "no-store")
    .redirect(`${statusPath(ctx, requestId)}?notice=${notice}`, 303);
}

export function handleStatusSignIn(
  request: StatusRequest,
  reply: FastifyReply,
  ctx: FirstPartyContext,
) {
  const { requestId } = request.params;
  if (!isUuid(requestId)) return sendNotFound(reply, ctx);
  return handleFirstPartySignIn(request, reply, ctx, signInForm(ctx, requestId), () =>
    sendFirstPartyError(request, reply, ctx, 50089, 403),
  );
}

export function sendStatusSignInCancelled(
  request: StatusRequest,
  reply: FastifyReply,
  ctx: FirstPartyContext,
) {
  const { requestId } = request.params;
  const link = isUuid(requestId)
    ? { href: statusPath(ctx, requestId), text: "Sign in to see your request" }
    : undefined;
  return html(
    reply,
    renderPage(
      <MessagePage
        title="You did not sign in"
        paragraphs={["Sign in with the account that asked for approval to see its status."]}
        link={link}
      />,
    ),
  );
}
