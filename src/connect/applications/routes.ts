import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ConnectContext } from "../context.ts";
import { notFound } from "../http/errors.ts";
import { applicationIdOf } from "./api-key-auth.ts";
import {
  addCallbackUri,
  findApplication,
  listCallbackUris,
  removeCallbackUri,
} from "./applications.ts";

const RedirectUriBody = z.object({
  url: z.string().min(1).max(2000),
  platform: z.string().max(20).optional(),
});

/**
 * `GET /v3/applications` and `/v3/applications/redirect-uris` (Nylas v3): the calling
 * application and the callback URIs it may be sent back to (exact match).
 */
export function applicationRoutes(ctx: ConnectContext) {
  const { db } = ctx;
  const uriView = (uri: string) => ({
    id: Buffer.from(uri).toString("base64url"),
    url: uri,
    platform: "web",
  });
  return async (app: FastifyInstance) => {
    app.get("/v3/applications", async (request) => {
      const application = await findApplication(db, applicationIdOf(request));
      if (!application) throw notFound("The application was deleted.");
      return {
        request_id: request.id,
        data: {
          application_id: application.id,
          name: application.name,
          callback_uris: application.callbackUris.map(uriView),
        },
      };
    });
    app.get("/v3/applications/redirect-uris", async (request) => ({
      request_id: request.id,
      data: (await listCallbackUris(db, applicationIdOf(request))).map(uriView),
    }));
    app.post("/v3/applications/redirect-uris", async (request) => {
      const body = RedirectUriBody.parse(request.body);
      await addCallbackUri(db, applicationIdOf(request), body.url);
      return { request_id: request.id, data: uriView(body.url) };
    });
    app.delete<{ Params: { id: string } }>(
      "/v3/applications/redirect-uris/:id",
      async (request) => {
        const uri = Buffer.from(request.params.id, "base64url").toString();
        if (!(await removeCallbackUri(db, applicationIdOf(request), uri)))
          throw notFound("No such redirect URI for this application.");
        return { request_id: request.id };
      },
    );
  };
}
