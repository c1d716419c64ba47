import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { applicationIdOf } from "../applications/index.ts";
import { PROVIDERS } from "../connectors/index.ts";
import type { ConnectContext } from "../context.ts";
import { emitEvent } from "../events/emit.ts";
import { notFound } from "../http/errors.ts";
import { deleteGrant } from "./delete-grant.ts";
import { findGrant, listGrants, updateGrantSettings } from "./grant-queries.ts";
import { grantView } from "./grant-view.ts";

// Nylas: limit defaults to 10, at most 200; offset paging (grants are the exception to cursors).
const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(10),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  email: z.string().max(320).optional(),
  provider: z.enum(PROVIDERS).optional(),
  grant_status: z.enum(["valid", "invalid"]).optional(),
});

const PatchBody = z
  .object({
    settings: z.record(z.string(), z.unknown()).optional(),
    scope: z.array(z.string().min(1).max(500)).max(50).optional(),
  })
  .strict();

type IdParams = { Params: { id: string } };

/** `/v3/grants`: the connected accounts of the calling application. */
export function grantRoutes(ctx: ConnectContext) {
  const { db } = ctx;
  return async (app: FastifyInstance) => {
    app.get("/v3/grants", async (request) => {
      const q = ListQuery.parse(request.query);
      const grants = await listGrants(db, applicationIdOf(request), {
        limit: q.limit,
        offset: q.offset,
        email: q.email,
        provider: q.provider,
        grantStatus: q.grant_status,
      });
      return {
        request_id: request.id,
        data: grants.map(grantView),
        limit: q.limit,
        offset: q.offset,
      };
    });
    app.get<IdParams>("/v3/grants/:id", async (request) => {
      const grant = await findGrant(db, applicationIdOf(request), request.params.id);
      if (!grant) throw notFound(`No grant ${request.params.id} for this application.`);
      return { request_id: request.id, data: grantView(grant) };
    });
    app.patch<IdParams>("/v3/grants/:id", async (request) => {
      const body = PatchBody.parse(request.body ?? {});
      const applicationId = applicationIdOf(request);
      const grant = await db.transaction().execute(async (trx) => {
        if (!(await findGrant(trx, applicationId, request.params.id))) return undefined;
        const row = await updateGrantSettings(trx, applicationId, request.params.id, body);
        if (row) await emitEvent(trx, applicationId, "grant.updated", grantView(row));
        return row;
      });
      if (!grant) throw notFound(`No grant ${request.params.id} for this application.`);
      ctx.wake();
      return { request_id: request.id, data: grantView(grant) };
    });
    app.delete<IdParams>("/v3/grants/:id", async (request) => {
      await deleteGrant(ctx, applicationIdOf(request), request.params.id);
      return { request_id: request.id };
    });
  };
}
