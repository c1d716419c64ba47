import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { isUuid } from "../../platform/ids.ts";
import { verifyWebhook } from "../../platform/webhooks/index.ts";
import { findApplication } from "../applications/index.ts";
import { requireConnector } from "../connectors/index.ts";
import type { ConnectContext } from "../context.ts";
import { ConnectError } from "../http/errors.ts";
import { announceApprovals } from "./approval-granted.ts";
import { storedSecret } from "./identity-subscription.ts";
import { approvePending, type PendingApproval } from "./pending-queries.ts";

// The part of Assent Identity's consent request event Connect relies on (its HTTP shape only:
// Connect never imports Identity): the tenant, the app's client id, and who asked.
const ConsentRequestEvent = z.object({
  type: z.literal("consent_request.approved"),
  data: z.looseObject({
    tenantId: z.string().max(100),
    app: z.looseObject({ appId: z.string().max(200) }),
    requesters: z
      .array(z.looseObject({ userPrincipalName: z.string().max(320).optional() }))
      .max(10_000)
      .default([]),
  }),
});

const unauthorized = () =>
  new ConnectError(401, "unauthorized", "The webhook signature is missing or does not verify.");

/**
 * `POST /v3/connect/identity-events/{connectorId}`: Assent Identity's webhooks, authenticated by
 * their Standard Webhooks signature under the secret the application configured for the
 * connector (identity-subscription.ts). A `consent_request.approved` for the connector's own
 * client id approves the connector's pending approvals of that organisation — recorded under the
 * event's tenant id or the connector's fixed tenant/issuer — and those of the people who asked
 * (by email: approvals recorded under an email domain), then fires `grant.approval_granted` and
 * emails each person their resume link. Any other event is acknowledged and ignored.
 */
export function identityEventRoutes(ctx: ConnectContext) {
  const { db, keyRing } = ctx;
  return async (app: FastifyInstance) => {
    // The signature covers the exact bytes: keep the body as text.
    app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) =>
      done(null, body),
    );
    app.post<{ Params: { connectorId: string } }>(
      "/v3/connect/identity-events/:connectorId",
      async (request, reply) => {
        const body = String(request.body ?? "");
        const { connectorId } = request.params;
        const row = isUuid(connectorId)
          ? await db
              .selectFrom("connect.connectors")
              .select(["id", "application_id", "provider"])
              .where("id", "=", connectorId)
              .executeTakeFirst()
          : undefined;
        const secret = row ? await storedSecret(db, keyRing, row.id) : undefined;
        const headers = request.headers as Record<string, string | undefined>;
        if (!row || !secret || !verifyWebhook({ headers, body, secrets: [secret] }))
          throw unauthorized();
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        // Other events (created, denied, …) are acknowledged: Connect has nothing to do.
        if ((json as { type?: unknown } | undefined)?.type !== "consent_request.approved")
          return reply.status(204).send();
        const parsed = ConsentRequestEvent.safeParse(json);
        if (!parsed.success)
          throw new ConnectError(
            400,
            "invalid_request_error",
            "The webhook body is not an Assent Identity consent_request.approved event.",
          );
        const event = parsed.data;
        const connector = await requireConnector(db, keyRing, row.application_id, row.provider);
        // Only approvals of this connector's own client id.
        if (event.data.app.appId.toLowerCase() !== connector.settings.client_id.toLowerCase())
          return reply.status(204).send();
        const client = await ctx.providers.get(connector);
        const application = await findApplication(db, row.application_id);
        const tenants = new Set(
          [event.data.tenantId, client.fixedTenant].filter((t): t is string => Boolean(t)),
        );
        const emails = new Set(
          event.data.requesters.flatMap((r) =>
            r.userPrincipalName ? [r.userPrincipalName.toLowerCase()] : [],
          ),
        );
        const approved = await db.transaction().execute(async (trx) => {
          const rows = new Map<string, PendingApproval>();
          const scope = { applicationId: row.application_id, provider: row.provider };
          for (const providerTenant of tenants)
            for (const r of await approvePending(trx, {
              ...scope,
              providerTenant,
            }))
              rows.set(r.id, r);
          for (const email of emails)
            for (const r of await approvePending(trx, { ...scope, email })) rows.set(r.id, r);
          await announceApprovals(trx, ctx, [...rows.values()], application?.name ?? "The app");
          return rows.size;
        });
        if (approved > 0) ctx.wake();
        request.log.info({ connector: row.id, approved }, "identity consent request approved");
        return reply.status(204).send();
      },
    );
  };
}
