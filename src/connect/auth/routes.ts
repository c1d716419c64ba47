import type { FastifyInstance } from "fastify";
import type { ConnectContext } from "../context.ts";
import { startAuth } from "./auth-request.ts";
import { handleCallback } from "./callback.ts";
import { tokenEndpoint } from "./token-endpoint.ts";

type Query = { Querystring: Record<string, string | undefined> };

/** Hosted authentication (no API key: the browser and the OAuth client call these). */
export function authRoutes(ctx: ConnectContext) {
  return async (app: FastifyInstance) => {
    app.get<Query>("/v3/connect/auth", (request, reply) => startAuth(ctx, request, reply));
    app.get<Query>("/v3/connect/callback", (request, reply) => handleCallback(ctx, request, reply));
    app.post("/v3/connect/token", (request, reply) => tokenEndpoint(ctx, request, reply));
  };
}
