import { createHmac } from "node:crypto";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { createHttpServer } from "../../platform/http/index.ts";
import { type ConnectSettings, connectClient } from "./connect-client.ts";
import { problemPage } from "./pages/pages.tsx";
import { crmRoutes } from "./routes.ts";
import { sessionStore } from "./session.ts";

export interface CrmDeps {
  logger: Logger;
  /** The demo app's public URL (its pages and `/callback`). */
  publicUrl: string;
  /** Connect's public URL, the demo app's client id and API key there. */
  connectUrl: string;
  applicationId: string;
  apiKey: string;
}

/**
 * The demo app "Northwind CRM" (composition root): a customer of Assent Connect that knows
 * Connect's URL, its client id and its API key, and nothing else of Assent. Not listening yet.
 */
export function createCrmApp(deps: CrmDeps): FastifyInstance {
  const settings: ConnectSettings = {
    connectUrl: deps.connectUrl,
    applicationId: deps.applicationId,
    apiKey: deps.apiKey,
    callbackUrl: `${deps.publicUrl}/callback`,
    provider: "microsoft",
  };
  const app = createHttpServer({ service: "demo-crm", logger: deps.logger });
  // Cookies are signed with a key derived from the API key: stable across restarts, and
  // never the key itself.
  const cookieSecret = createHmac("sha256", deps.apiKey).update("northwind-crm cookies").digest();
  app.register(cookie, { secret: cookieSecret });
  // One scope for the pages, where the person sees a page, never a JSON error (the usual
  // cause is Connect being unreachable); the platform's handlers stay at the root.
  app.register(async (scope) => {
    scope.setErrorHandler((error, request, reply) => {
      request.log.error({ err: error }, "demo app request failed");
      const why = error instanceof Error ? error.message : "unknown error";
      return reply
        .status(502)
        .type("text/html; charset=utf-8")
        .send(
          problemPage({
            title: "Something went wrong",
            message: `Northwind CRM could not complete this with Assent Connect: ${why}. Try again in a moment.`,
          }),
        );
    });
    scope.register(formbody);
    scope.register(
      crmRoutes({
        connect: connectClient(settings),
        sessions: sessionStore(deps.publicUrl.startsWith("https:")),
      }),
    );
  });
  return app;
}
