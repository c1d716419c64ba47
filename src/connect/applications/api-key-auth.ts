import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { ConnectError } from "../http/errors.ts";
import type { ConnectDB } from "../tables.ts";
import { applicationOfApiKey } from "./applications.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The application whose API key authenticated the request. */
    applicationId?: string;
  }
}

/**
 * The `Authorization: Bearer <API key>` check of the REST API (Nylas v3's scheme). A missing,
 * unknown or revoked key is the same 401, so the answer says nothing about which keys exist.
 */
export function apiKeyAuth(db: Kysely<ConnectDB>) {
  return async (request: FastifyRequest) => {
    const header = request.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const applicationId = match?.[1] ? await applicationOfApiKey(db, match[1]) : undefined;
    if (!applicationId)
      throw new ConnectError(
        401,
        "unauthorized",
        "Unauthorized: send your application's API key as 'Authorization: Bearer <API key>'. Create one with 'assent connect app create'.",
      );
    request.applicationId = applicationId;
  };
}

/** The authenticated application (set by apiKeyAuth). */
export function applicationIdOf(request: FastifyRequest): string {
  if (!request.applicationId) throw new Error("apiKeyAuth did not run for this route");
  return request.applicationId;
}
