import type { FastifyInstance } from "fastify";
import { badRequest, clientRequestId, sendGraphError } from "../graph/graph-error.ts";
import type { GraphRouteDeps } from "./deps.ts";
import { meRoutes } from "./me.ts";
import { messageRoutes } from "./messages.ts";
import { sendMailRoutes } from "./send-mail.ts";

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The Graph-shaped API, registered under `/v1.0`. It is its own Fastify scope so that every
 * error in it, and every unknown path, is written in Graph's error shape rather than the admin
 * API's envelope; every answer carries Graph's `request-id` and `client-request-id` headers.
 */
export function graphApi(deps: GraphRouteDeps) {
  return async (app: FastifyInstance) => {
    app.setErrorHandler((error, request, reply) => sendGraphError(request, reply, error));
    app.setNotFoundHandler((request, reply) => {
      const segment = (request.url.split("?")[0] ?? "").split("/").filter(Boolean).at(-1) ?? "";
      return sendGraphError(
        request,
        reply,
        badRequest(`Resource not found for the segment '${safeDecode(segment)}'.`),
      );
    });
    app.addHook("onRequest", async (request, reply) => {
      reply.header("request-id", request.id);
      reply.header("client-request-id", clientRequestId(request));
    });
    meRoutes(app, deps);
    messageRoutes(app, deps);
    sendMailRoutes(app, deps);
  };
}
