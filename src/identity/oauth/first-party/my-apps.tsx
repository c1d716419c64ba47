import type { FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "../../../platform/http/errors.ts";
import { findApplicationByAppId } from "../../apps/index.ts";
import { listMyApps, revokeMyApp } from "../../consent/index.ts";
import { isUuid } from "../../directory/index.ts";
import { MessagePage, MyAppsPage, renderPage } from "../../pages/index.ts";
import { type FirstPartyContext, sendFirstPartyError } from "./context.ts";
import { type FirstPartySignIn, handleFirstPartySignIn, sendFirstPartySignIn } from "./sign-in.tsx";

/**
 * "My apps" for end users (`/{tenant}/myapps`), signed in with the tenant's session: the apps
 * they granted access to, with the permissions and when, and "Remove", which deletes their
 * consent and revokes what the app holds for them.
 */

function html(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply
    .code(status)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(body);
}

function signInForm(ctx: FirstPartyContext): FirstPartySignIn {
  return {
    flow: "myapps",
    appName: "My apps",
    actionUrl: `${ctx.tenantPath}/myapps/login`,
    cancelUrl: `${ctx.tenantPath}/myapps/cancel`,
    next: `${ctx.tenantPath}/myapps`,
  };
}

const purpose = (ctx: FirstPartyContext) => `myapps:${ctx.session?.id ?? ""}`;

export async function sendMyApps(
  request: FastifyRequest<{ Querystring: { removed?: string } }>,
  reply: FastifyReply,
  ctx: FirstPartyContext,
): Promise<FastifyReply> {
  if (!ctx.user) return sendFirstPartySignIn(reply, ctx, signInForm(ctx));
  const apps = await listMyApps(ctx.deps.db, ctx.tenant.id, ctx.user.id);
  return html(
    reply,
    renderPage(
      <MyAppsPage
        userPrincipalName={ctx.user.userPrincipalName}
        tenantName={ctx.tenant.displayName}
        removeUrl={`${ctx.tenantPath}/myapps/remove`}
        csrfToken={ctx.csrfToken(purpose(ctx))}
        notice={
          request.query.removed === "1"
            ? "The app was removed. It can no longer use your data; it will ask again if you sign in to it."
            : undefined
        }
        apps={apps.map((a) => ({
          id: a.clientServicePrincipalId,
          app: {
            name: a.displayName,
            appId: a.appId,
            logoUrl: a.logoUrl,
            publisherName: a.publisherDisplayName,
            publisherVerified: a.publisherVerified,
          },
          permissions: a.permissions.map((p) => ({
            resourceName: p.resourceDisplayName,
            scopes: p.scopes,
          })),
          grantedAt: a.grantedAt.toISOString().slice(0, 10),
        }))}
      />,
    ),
  );
}

export async function handleMyAppsRemove(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: FirstPartyContext,
): Promise<FastifyReply> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (!ctx.user) return sendFirstPartySignIn(reply, ctx, signInForm(ctx), { status: 401 });
  if (!ctx.csrfValid(purpose(ctx), body.csrf_token))
    return sendFirstPartyError(request, reply, ctx, 50089, 403);
  const app = typeof body.app === "string" && isUuid(body.app) ? body.app : "";
  try {
    await revokeMyApp(ctx.deps.db, ctx.tenant.id, ctx.user.id, app, {
      type: "user",
      id: ctx.user.id,
      userPrincipalName: ctx.user.userPrincipalName,
    });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404)
      return html(
        reply,
        renderPage(
          <MessagePage
            title="Nothing to remove"
            paragraphs={[error.message]}
            link={{ href: `${ctx.tenantPath}/myapps`, text: "Back to My apps" }}
          />,
        ),
        404,
      );
    throw error;
  }
  return reply
    .header("cache-control", "no-store")
    .redirect(`${ctx.tenantPath}/myapps?removed=1`, 303);
}

export function handleMyAppsSignIn(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: FirstPartyContext,
) {
  return handleFirstPartySignIn(request, reply, ctx, signInForm(ctx), () =>
    sendFirstPartyError(request, reply, ctx, 50089, 403),
  );
}

export function sendMyAppsCancelled(reply: FastifyReply, ctx: FirstPartyContext) {
  return html(
    reply,
    renderPage(
      <MessagePage
        title="You did not sign in"
        paragraphs={["Sign in to see the apps you gave access to your data."]}
        link={{ href: `${ctx.tenantPath}/myapps`, text: "Sign in to My apps" }}
      />,
    ),
  );
}

/** "Report it here" from the consent screen: what to send, and to whom. */
export async function sendReportApp(
  request: FastifyRequest<{ Querystring: { app_id?: string } }>,
  reply: FastifyReply,
  ctx: FirstPartyContext,
): Promise<FastifyReply> {
  const appId = request.query.app_id;
  const app =
    typeof appId === "string" && isUuid(appId)
      ? await findApplicationByAppId(ctx.deps.db, appId)
      : undefined;
  return html(
    reply,
    renderPage(
      <MessagePage
        title="Report a suspicious app"
        paragraphs={[
          app
            ? `To report "${app.displayName}" (application id ${app.appId}), send its name and id to your administrator, with why it looks suspicious.`
            : "Send the app's name and application id to your administrator, with why it looks suspicious.",
          "Do not accept its permission request. An administrator can block the app for everyone in your organization.",
          `Request id for your administrator: ${ctx.requestContext.requestId}.`,
        ]}
      />,
    ),
  );
}
