import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { bindRequestContext } from "../errors/request-context.ts";
import type { ProviderCache } from "../provider/provider-cache.ts";
import type { OAuthDeps } from "../provider/runtime.ts";
import { handleConsent, handleRequestApproval, handleReturn, sendConsentStep } from "./consent.tsx";
import { type InteractionScope, loadInteraction } from "./interaction-context.ts";
import { handlePickAccount, sendPickAccount } from "./select-account.tsx";
import { handleSignIn, sendSignIn } from "./sign-in.tsx";

type Request = FastifyRequest<{ Params: { tenant: string; uid: string } }>;

/**
 * The sign-in interaction pages oidc-provider sends the browser to (`interactions.url`):
 * `GET /{tenant}/interaction/{uid}` shows what the pending prompt needs (sign-in, pick an
 * account, the consent screens); the forms POST to `/login`, `/select-account`, `/consent`,
 * `/request-approval`, `/return` and `/cancel` under it. Every POST checks the CSRF token.
 */
export async function interactionRoutes(
  app: FastifyInstance,
  options: { deps: OAuthDeps; cache: ProviderCache },
): Promise<void> {
  const { deps, cache } = options;
  await app.register(cookie);
  // Sign-in forms are tiny; refuse anything larger before parsing.
  await app.register(formbody, { bodyLimit: 16 * 1024 });

  const route =
    (
      handler: (
        req: Request,
        reply: FastifyReply,
        scope: InteractionScope,
      ) => Promise<FastifyReply>,
    ) =>
    async (request: Request, reply: FastifyReply) => {
      // The request id the page answers with is the one its sign-in events carry.
      bindRequestContext(request.raw, { requestId: request.id, ip: request.ip });
      const scope = await loadInteraction(request, reply, deps, cache);
      if (!scope) return reply;
      return handler(request, reply, scope);
    };

  app.get(
    "/:tenant/interaction/:uid",
    route(async (request, reply, scope) => {
      switch (scope.details.prompt.name) {
        case "select_account":
          return sendPickAccount(request, reply, scope, deps);
        case "login":
          return sendSignIn(reply, scope);
        case "consent":
          return sendConsentStep(request, reply, scope, deps);
        default:
          return scope.finish({});
      }
    }),
  );
  app.post(
    "/:tenant/interaction/:uid/login",
    route((request, reply, scope) => handleSignIn(request, reply, scope, deps)),
  );
  app.post(
    "/:tenant/interaction/:uid/select-account",
    route((request, reply, scope) => handlePickAccount(request, reply, scope, deps)),
  );
  app.post(
    "/:tenant/interaction/:uid/consent",
    route((request, reply, scope) => handleConsent(request, reply, scope, deps)),
  );
  app.post(
    "/:tenant/interaction/:uid/request-approval",
    route((request, reply, scope) => handleRequestApproval(request, reply, scope, deps)),
  );
  app.post(
    "/:tenant/interaction/:uid/return",
    route((request, reply, scope) => handleReturn(request, reply, scope, deps)),
  );
  app.post(
    "/:tenant/interaction/:uid/cancel",
    route((_request, _reply, scope) =>
      scope.finish({
        error: "access_denied",
        error_description: "AST65004: The user cancelled the sign-in.",
      }),
    ),
  );
}
