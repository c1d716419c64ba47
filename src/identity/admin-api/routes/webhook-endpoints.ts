import { z } from "zod";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
} from "../../consent-requests/index.ts";
import { resendWebhookDelivery } from "../../consent-requests/webhook-endpoints.ts";
import type { DirectoryRole } from "../../directory/index.ts";
import type { RoutePermission } from "../authorize.ts";
import { actorOf } from "../caller.ts";
import { type AdminRoute, defineRoute } from "../route.ts";
import {
  createdWebhookEndpointSchema,
  newWebhookEndpointSchema,
  toJson,
  webhookDeliverySchema,
  webhookEndpointSchema,
} from "./consent-request-schemas.ts";

// The tenant's outgoing webhooks carry consent request data: the workflow's administrators
// manage them; Global Reader sees them (and their delivery log), as it sees everything.
const MANAGERS: DirectoryRole[] = [
  "global_administrator",
  "privileged_role_administrator",
  "cloud_application_administrator",
  "application_administrator",
];
const MANAGE: RoutePermission = {
  anyOf: ["ConsentRequest.ReadWrite.All"],
  directoryRoles: MANAGERS,
};
const READ: RoutePermission = {
  anyOf: ["ConsentRequest.ReadWrite.All"],
  directoryRoles: [...MANAGERS, "global_reader"],
};
const TAGS = ["Webhooks"];
const idParams = z.object({ id: z.string().max(64).describe("The endpoint's id.") });
const NOT_FOUND = {
  status: 404,
  code: "webhook_endpoint.not_found",
  description: "No such endpoint in this tenant.",
};

export const createWebhookEndpointRoute = defineRoute({
  method: "POST",
  path: "/api/v1/webhookEndpoints",
  operationId: "createWebhookEndpoint",
  summary: "Register a webhook endpoint for consent request events",
  description:
    "Events are signed with Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature) using the secret returned here — the only time it is shown — and retried with exponential backoff until the receiver answers 2xx. In production the URL must be https and resolve to a public address.",
  tags: TAGS,
  permission: MANAGE,
  body: newWebhookEndpointSchema,
  response: createdWebhookEndpointSchema,
  status: 201,
  errors: [
    {
      status: 400,
      code: "webhook_endpoint.invalid_url",
      description: "The URL is not allowed (scheme, private address).",
    },
  ],
  handler: async (ctx) =>
    toJson(
      await createWebhookEndpoint(
        ctx.deps.database.db,
        ctx.deps.keyRing,
        ctx.caller.tenantId,
        ctx.body,
        actorOf(ctx.caller),
        { allowLoopback: ctx.deps.config.env !== "production" },
      ),
    ),
});

export const listWebhookEndpointsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/webhookEndpoints",
  operationId: "listWebhookEndpoints",
  summary: "The tenant's webhook endpoints (without their secrets)",
  tags: TAGS,
  permission: READ,
  response: z.object({ value: z.array(webhookEndpointSchema) }),
  handler: async (ctx) => ({
    value: toJson(await listWebhookEndpoints(ctx.deps.database.db, ctx.caller.tenantId)),
  }),
});

export const deleteWebhookEndpointRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/webhookEndpoints/{id}",
  operationId: "deleteWebhookEndpoint",
  summary: "Remove a webhook endpoint (its undelivered events are dropped)",
  tags: TAGS,
  permission: MANAGE,
  params: idParams,
  response: z.object({ deleted: z.literal(true) }),
  errors: [NOT_FOUND],
  async handler(ctx) {
    await deleteWebhookEndpoint(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      actorOf(ctx.caller),
    );
    return { deleted: true as const };
  },
});

export const listWebhookDeliveriesRoute = defineRoute({
  method: "GET",
  path: "/api/v1/webhookEndpoints/{id}/deliveries",
  operationId: "listWebhookDeliveries",
  summary: "The delivery log of an endpoint: every attempt, newest first",
  tags: TAGS,
  permission: READ,
  params: idParams,
  query: z.object({ top: z.coerce.number().int().min(1).max(200).default(50) }),
  response: z.object({ value: z.array(webhookDeliverySchema) }),
  errors: [NOT_FOUND],
  handler: async (ctx) => ({
    value: toJson(
      await listWebhookDeliveries(
        ctx.deps.database.db,
        ctx.caller.tenantId,
        ctx.params.id,
        ctx.query.top,
      ),
    ),
  }),
});

export const resendWebhookDeliveryRoute = defineRoute({
  method: "POST",
  path: "/api/v1/webhookEndpoints/{id}/deliveries/{deliveryId}/resend",
  operationId: "resendWebhookDelivery",
  summary: "Send a delivered or failed event to the endpoint again",
  description:
    'Queues the event of that delivery again (same payload and webhook-id, so a receiver that dedupes sees the same event); the background worker delivers it with the usual retries, adding attempts to the delivery log. Writes "Resend webhook delivery" to the audit log.',
  tags: TAGS,
  permission: MANAGE,
  params: z.object({
    id: z.string().max(64).describe("The endpoint's id."),
    deliveryId: z.string().max(64).describe("A delivery's id, from the endpoint's delivery log."),
  }),
  response: z.object({
    eventId: z.string().describe("The webhook-id the event is sent with again."),
    eventType: z.string(),
  }),
  status: 202,
  errors: [
    NOT_FOUND,
    {
      status: 404,
      code: "webhook_delivery.not_found",
      description: "No such delivery of this endpoint.",
    },
    {
      status: 409,
      code: "webhook_delivery.event_purged",
      description: "The event is older than the outbox's retention.",
    },
    {
      status: 409,
      code: "webhook_endpoint.disabled",
      description: "The endpoint was disabled by a 410 Gone answer.",
    },
  ],
  handler: (ctx) =>
    resendWebhookDelivery(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.params.deliveryId,
      actorOf(ctx.caller),
    ),
});

/** The webhook endpoint operations. */
export const webhookEndpointRoutes: AdminRoute[] = [
  createWebhookEndpointRoute,
  listWebhookEndpointsRoute,
  deleteWebhookEndpointRoute,
  listWebhookDeliveriesRoute,
  resendWebhookDeliveryRoute,
];
