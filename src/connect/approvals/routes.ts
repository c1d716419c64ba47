import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { applicationIdOf, findApplication } from "../applications/index.ts";
import { findConnector } from "../connectors/index.ts";
import type { ConnectContext } from "../context.ts";
import { notFound } from "../http/errors.ts";
import { appRedirectUrl, sendErrorPage, sendHtml } from "../http/pages.ts";
import { ApprovalPage } from "../pages/index.ts";
import {
  findPendingApproval,
  listPendingApprovals,
  pendingApprovalView,
} from "./pending-queries.ts";

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(10),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  status: z.enum(["pending", "approved"]).optional(),
  email: z.string().max(320).optional(),
});

type IdParams = { Params: { id: string } };

/** `GET /v3/approvals` (API key): the application's pending and settled approvals. */
export function approvalApiRoutes(ctx: ConnectContext) {
  return async (app: FastifyInstance) => {
    app.get("/v3/approvals", async (request) => {
      const q = ListQuery.parse(request.query);
      const rows = await listPendingApprovals(ctx.db, applicationIdOf(request), q);
      return {
        request_id: request.id,
        data: rows.map((r) => pendingApprovalView(r, ctx.publicUrl)),
        limit: q.limit,
        offset: q.offset,
      };
    });
    app.get<IdParams>("/v3/approvals/:id", async (request) => {
      const row = await findPendingApproval(ctx.db, request.params.id);
      if (!row || row.application_id !== applicationIdOf(request))
        throw notFound(`No pending approval ${request.params.id} for this application.`);
      return { request_id: request.id, data: pendingApprovalView(row, ctx.publicUrl) };
    });
  };
}

/**
 * The pages a person reaches by link: the approval page to share with an administrator
 * (its id is 122 random bits, the link is the capability), and the resume link from the
 * approval email, which starts hosted auth again with their email filled in.
 */
export function approvalPageRoutes(ctx: ConnectContext) {
  return async (app: FastifyInstance) => {
    app.get<IdParams>("/v3/connect/approvals/:id", async (request, reply) => {
      const row = await findPendingApproval(ctx.db, request.params.id);
      const application = row ? await findApplication(ctx.db, row.application_id) : undefined;
      if (!row || !application)
        return sendErrorPage(request, reply, 404, {
          code: "approval_not_found",
          title: "Approval page not found",
          message: "This approval page does not exist (the link may be incomplete).",
          next: "Ask the person who shared it to send the link again.",
        });
      const connector = await findConnector(ctx.db, ctx.keyRing, row.application_id, row.provider);
      const consent = new URL(`${ctx.publicUrl}/v3/connect/auth`);
      for (const [k, v] of Object.entries({
        client_id: row.application_id,
        redirect_uri: row.redirect_uri,
        response_type: "adminconsent",
        provider: row.provider,
        pending_approval_id: row.id,
      }))
        consent.searchParams.set(k, v);
      return sendHtml(
        reply,
        200,
        ApprovalPage({
          appName: application.name,
          provider: row.provider,
          email: row.email,
          organisation: row.provider_tenant,
          status: row.status,
          adminConsentUrl: row.provider === "google" ? undefined : consent.href,
          clientId: connector?.settings.client_id ?? "",
          requestedAt: row.created_at.toISOString(),
        }),
      );
    });
    app.get<IdParams>("/v3/connect/resume/:id", async (request, reply) => {
      const row = await findPendingApproval(ctx.db, request.params.id);
      if (!row)
        return sendErrorPage(request, reply, 404, {
          code: "approval_not_found",
          title: "This link is not valid",
          message: "The link to finish connecting does not exist (it may be incomplete).",
          next: "Go back to the application and connect again.",
        });
      return reply.redirect(
        appRedirectUrl(`${ctx.publicUrl}/v3/connect/auth`, {
          client_id: row.application_id,
          redirect_uri: row.redirect_uri,
          response_type: "code",
          provider: row.provider,
          scope: row.scope.join(" ") || undefined,
          login_hint: row.email || undefined,
        }),
        303,
      );
    });
  };
}
