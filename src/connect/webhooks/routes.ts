import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { applicationIdOf } from "../applications/index.ts";
import type { ConnectContext } from "../context.ts";
import { TRIGGER_TYPES } from "../events/emit.ts";
import { notFound } from "../http/errors.ts";
import { verifyChallenge } from "./challenge.ts";
import {
  deleteDestination,
  destinationView,
  findDestination,
  insertDestination,
  listDeliveries,
  listDestinations,
  redeliver,
  rotateDestinationSecret,
  updateDestination,
} from "./destinations.ts";

const url = z.url({ protocol: /^https?$/ }).max(2000);
const triggers = z.array(z.enum(TRIGGER_TYPES)).min(1).max(TRIGGER_TYPES.length);
const emails = z.array(z.email()).max(20);

const CreateBody = z
  .object({
    webhook_url: url,
    trigger_types: triggers,
    description: z.string().max(500).optional(),
    notification_email_addresses: emails.optional(),
  })
  .strict();

const UpdateBody = z
  .object({
    webhook_url: url.optional(),
    trigger_types: triggers.optional(),
    description: z.string().max(500).optional(),
    notification_email_addresses: emails.optional(),
    status: z.enum(["active", "pause"]).optional(),
  })
  .strict();

type IdParams = { Params: { id: string } };

/**
 * `/v3/webhooks` (Nylas v3): destinations with trigger types, verified by challenge on creation
 * and on a URL change; the signing secret is shown once (creation, rotation). Assent adds the
 * delivery log and manual redelivery.
 */
export function webhookRoutes(ctx: ConnectContext) {
  const { db, keyRing } = ctx;
  const allowLoopback = ctx.config.env !== "production";
  const requireDestination = async (applicationId: string, id: string) => {
    const d = await findDestination(db, applicationId, id);
    if (!d) throw notFound(`No webhook destination ${id} for this application.`);
    return d;
  };
  return async (app: FastifyInstance) => {
    app.post("/v3/webhooks", async (request, reply) => {
      const body = CreateBody.parse(request.body);
      await verifyChallenge(body.webhook_url, { allowLoopback });
      const { destination, secret } = await insertDestination(db, keyRing, {
        applicationId: applicationIdOf(request),
        url: body.webhook_url,
        description: body.description,
        triggerTypes: [...new Set(body.trigger_types)],
        emails: body.notification_email_addresses ?? [],
      });
      return reply
        .status(200)
        .send({ request_id: request.id, data: destinationView(destination, secret) });
    });
    app.get("/v3/webhooks", async (request) => {
      const list = await listDestinations(db, applicationIdOf(request));
      return { request_id: request.id, data: list.map((d) => destinationView(d)) };
    });
    app.get<IdParams>("/v3/webhooks/:id", async (request) => {
      const d = await requireDestination(applicationIdOf(request), request.params.id);
      return { request_id: request.id, data: destinationView(d) };
    });
    const update = async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const body = UpdateBody.parse(request.body ?? {});
      const applicationId = applicationIdOf(request);
      const current = await requireDestination(applicationId, request.params.id);
      if (body.webhook_url && body.webhook_url !== current.url)
        await verifyChallenge(body.webhook_url, { allowLoopback });
      const d = await updateDestination(db, applicationId, current.id, {
        url: body.webhook_url,
        description: body.description,
        triggerTypes: body.trigger_types,
        status: body.status,
        emails: body.notification_email_addresses,
      });
      if (!d) throw notFound(`No webhook destination ${request.params.id} for this application.`);
      return { request_id: request.id, data: destinationView(d) };
    };
    app.put<IdParams>("/v3/webhooks/:id", update);
    app.patch<IdParams>("/v3/webhooks/:id", update);
    app.delete<IdParams>("/v3/webhooks/:id", async (request) => {
      if (!(await deleteDestination(db, applicationIdOf(request), request.params.id)))
        throw notFound(`No webhook destination ${request.params.id} for this application.`);
      return { request_id: request.id, data: { status: "success" } };
    });
    app.post<IdParams>("/v3/webhooks/rotate-secret/:id", async (request) => {
      const d = await requireDestination(applicationIdOf(request), request.params.id);
      const { destination, secret } = await rotateDestinationSecret(db, keyRing, d);
      return { request_id: request.id, data: destinationView(destination, secret) };
    });
    app.get<IdParams & { Querystring: { limit?: string } }>(
      "/v3/webhooks/:id/deliveries",
      async (request) => {
        const applicationId = applicationIdOf(request);
        const d = await requireDestination(applicationId, request.params.id);
        const limit = z.coerce
          .number()
          .int()
          .min(1)
          .max(200)
          .default(50)
          .parse(request.query.limit);
        const rows = await listDeliveries(db, applicationId, d.id, limit);
        return {
          request_id: request.id,
          data: rows.map((r) => ({
            event_id: r.event_id,
            event_type: r.event_type,
            attempt: r.attempt,
            status_code: r.status_code ?? undefined,
            error: r.error ?? undefined,
            duration_ms: r.duration_ms,
            created_at: Math.floor(r.created_at.getTime() / 1000),
          })),
        };
      },
    );
    app.post<{ Params: { id: string; eventId: string } }>(
      "/v3/webhooks/:id/deliveries/:eventId/redeliver",
      async (request) => {
        const applicationId = applicationIdOf(request);
        const d = await requireDestination(applicationId, request.params.id);
        if (!(await redeliver(db, applicationId, d.id, request.params.eventId)))
          throw notFound(`No event ${request.params.eventId} was sent to this destination.`);
        ctx.wake();
        return { request_id: request.id, data: { status: "queued" } };
      },
    );
  };
}
