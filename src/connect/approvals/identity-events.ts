import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { isUuid } from "../../platform/ids.ts";
import { generateWebhookSecret, verifyWebhook } from "../../platform/webhooks/index.ts";
import { applicationIdOf, findApplication } from "../applications/index.ts";
import { providerOf, requireConnector } from "../connectors/index.ts";
import type { ConnectContext } from "../context.ts";
import { ConnectError } from "../http/errors.ts";
import { announceApprovals } from "./approval-granted.ts";
import { approvePending } from "./pending-queries.ts";

// The part of Assent Identity's `consent_request.approved` event Connect relies on (HTTP shape
// only; Connect never imports Identity): the tenant, the app's client id, and who asked.
const ConsentRequestApproved = z.object({
  type: z.string(),
  data: z.looseObject({
    tenantId: z.string().optional(),
    tenant_id: z.string().optional(),
    app: z.looseObject({ appId: z.string().optional(), app_id: z.string().optional() }).optional(),
    requesters: z.array(z.looseObject({ userPrincipalName: z.string().optional() })).optional(),
  }),
});

const secretContext = (connectorId: string) => `connect.identity_webhook:${connectorId}`;

/**
 * Connect as a receiver of Assent Identity's webhooks. `POST /v3/connectors/{provider}/identity-
 * webhook` (API key) issues the URL and signing secret (shown once) that the organisation's
 * administrator registers in Identity for `consent_request.approved`; deliveries to that URL are
 * verified (Standard Webhooks) and approve the organisation's pending approvals for the app.
 */
export function identityEventRoutes(ctx: ConnectContext) {
  const { db, keyRing } = ctx;
  return {
    /** Under the API-key scope. */
    subscribe: async (app: FastifyInstance) => {
      app.post<{ Params: { provider: string } }>(
        "/v3/connectors/:provider/identity-webhook",
        async (request) => {
          const provider = providerOf(request.params.provider);
          const connector = await requireConnector(db, keyRing, applicationIdOf(request), provider);
          const secret = generateWebhookSecret();
          await db
            .updateTable("connect.connectors")
            .set({
              identity_webhook_secret_enc: keyRing.encrypt(secret, secretContext(connector.id)),
            })
            .where("id", "=", connector.id)
            .execute();
          return {
            request_id: request.id,
            data: {
              url: `${ctx.publicUrl}/v3/connect/identity-events/${connector.id}`,
              secret,
              event_types: ["consent_request.approved"],
            },
          };
        },
      );
    },
    /** Public, authenticated by the signature. */
    receive: async (app: FastifyInstance) => {
      // The signature covers the exact bytes: keep the body as text.
      app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) =>
        done(null, body),
      );
      app.post<{ Params: { connectorId: string } }>(
        "/v3/connect/identity-events/:connectorId",
        async (request, reply) => {
          const body = String(request.body ?? "");
          const row = isUuid(request.params.connectorId)
            ? await db
                .selectFrom("connect.connectors")
                .select([
                  "id",
                  "application_id",
                  "provider",
                  "settings",
                  "identity_webhook_secret_enc",
                ])
                .where("id", "=", request.params.connectorId)
                .executeTakeFirst()
            : undefined;
          const secret = row?.identity_webhook_secret_enc
            ? keyRing.decrypt(row.identity_webhook_secret_enc, secretContext(row.id))
            : undefined;
          const headers = request.headers as Record<string, string | undefined>;
          if (!row || !secret || !verifyWebhook({ headers, body, secrets: [secret] }))
            throw new ConnectError(
              401,
              "unauthorized",
              "The webhook signature is missing or does not verify.",
            );
          let event: z.infer<typeof ConsentRequestApproved>;
          try {
            event = ConsentRequestApproved.parse(JSON.parse(body));
          } catch {
            throw new ConnectError(
              400,
              "invalid_request_error",
              "The webhook body is not a consent request event.",
            );
          }
          if (event.type !== "consent_request.approved") return reply.status(204).send();
          const tenant = event.data.tenantId ?? event.data.tenant_id;
          const clientId = event.data.app?.appId ?? event.data.app?.app_id;
          // Only approvals of this connector's own client id, in the tenant that approved.
          if (!tenant || clientId?.toLowerCase() !== row.settings.client_id.toLowerCase())
            return reply.status(204).send();
          const connector = await requireConnector(db, keyRing, row.application_id, row.provider);
          const client = await ctx.providers.get(connector);
          const application = await findApplication(db, row.application_id);
          // The URL was registered in one organisation: a connector bound to one tenant (or issuer)
          // records its pending approvals under that name, an Entra-style one under the tenant id.
          const tenants = new Set(
            [tenant, client.fixedTenant].filter((t): t is string => Boolean(t)),
          );
          const approved = await db.transaction().execute(async (trx) => {
            const rows = [];
            for (const providerTenant of tenants)
              rows.push(
                ...(await approvePending(trx, {
                  applicationId: row.application_id,
                  provider: row.provider,
                  providerTenant,
                })),
              );
            await announceApprovals(trx, ctx, rows, application?.name ?? "The app");
            return rows.length;
          });
          if (approved > 0) ctx.wake();
          return reply.status(204).send();
        },
      );
    },
  };
}
