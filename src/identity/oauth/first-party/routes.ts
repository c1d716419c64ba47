import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ProviderCache } from "../provider/provider-cache.ts";
import type { OAuthDeps } from "../provider/runtime.ts";
import {
  handleAdminConsent,
  handleAdminConsentCancel,
  handleAdminConsentSignIn,
  sendAdminConsent,
} from "./admin-consent.tsx";
import {
  handleStatusSignIn,
  handleWithdraw,
  type StatusRequest,
  sendConsentRequestStatus,
  sendStatusSignInCancelled,
} from "./consent-request-status.tsx";
import { type FirstPartyContext, loadFirstPartyContext } from "./context.ts";
import {
  handleMyAppsRemove,
  handleMyAppsSignIn,
  sendMyApps,
  sendMyAppsCancelled,
  sendReportApp,
} from "./my-apps.tsx";

type Request = FastifyRequest<{ Params: { tenant: string }; Querystring: Record<string, string> }>;

/**
 * The tenant's first-party pages, outside any app's authorization request:
 * - `/{tenant}/v2.0/adminconsent` (+ `/login`, `/cancel`): tenant-wide admin consent;
 * - `/{tenant}/myapps` (+ `/login`, `/cancel`, `/remove`): the apps a user gave access;
 * - `/{tenant}/report-app`: how to report a suspicious app;
 * - `/{tenant}/consent-requests/{id}` (+ `/withdraw`, `/login`, `/cancel`): the status of a
 *   request for approval, for the users who asked.
 * They share the tenant's sign-in session with the authorization endpoint; every POST checks a
 * CSRF token.
 */
export async function firstPartyRoutes(
  app: FastifyInstance,
  options: { deps: OAuthDeps; cache: ProviderCache },
): Promise<void> {
  const { deps, cache } = options;
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 16 * 1024 });

  const route =
    <R extends Request | StatusRequest>(
      handler: (
        request: R,
        reply: FastifyReply,
        ctx: FirstPartyContext,
      ) => Promise<FastifyReply> | FastifyReply,
    ) =>
    async (request: R, reply: FastifyReply) => {
      const ctx = await loadFirstPartyContext(request, reply, deps, cache);
      if (!ctx) return reply;
      return handler(request, reply, ctx);
    };

  app.get("/:tenant/v2.0/adminconsent", route(sendAdminConsent));
  app.post("/:tenant/v2.0/adminconsent", route(handleAdminConsent));
  app.post("/:tenant/v2.0/adminconsent/login", route(handleAdminConsentSignIn));
  app.post("/:tenant/v2.0/adminconsent/cancel", route(handleAdminConsentCancel));

  app.get("/:tenant/myapps", route(sendMyApps));
  app.post("/:tenant/myapps/login", route(handleMyAppsSignIn));
  app.post("/:tenant/myapps/remove", route(handleMyAppsRemove));
  app.post(
    "/:tenant/myapps/cancel",
    route((_request, reply, ctx) => sendMyAppsCancelled(reply, ctx)),
  );
  app.get("/:tenant/report-app", route(sendReportApp));

  app.get("/:tenant/consent-requests/:requestId", route(sendConsentRequestStatus));
  app.post("/:tenant/consent-requests/:requestId/withdraw", route(handleWithdraw));
  app.post("/:tenant/consent-requests/:requestId/login", route(handleStatusSignIn));
  app.post("/:tenant/consent-requests/:requestId/cancel", route(sendStatusSignInCancelled));
}
