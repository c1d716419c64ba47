import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { type ConnectClient, statusOf } from "./connect-client.ts";
import { connectPage, mailboxPage, outcomePage, problemPage, waitingPage } from "./pages/pages.tsx";
import type { CrmSession, SessionStore } from "./session.ts";

const RECENT_MESSAGES = 10;
const APPROVAL_OUTCOMES = new Set(["approval_requested", "admin_approval_required"]);

const ConnectForm = z.object({
  csrf_token: z.string().optional(),
  login_hint: z
    .string()
    .trim()
    .max(320)
    .optional()
    .transform((v) => v || undefined),
});

const Callback = z.object({
  code: z.string().max(2000).optional(),
  state: z.string().max(200).optional(),
  error: z.string().max(200).optional(),
  error_code: z.string().max(100).optional(),
  error_description: z.string().max(2000).optional(),
  pending_approval_id: z.string().max(100).optional(),
});

function html(reply: FastifyReply, status: number, body: string) {
  return reply
    .status(status)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(body);
}

/**
 * The demo app's pages: home (connect, waiting for approval, or the connected mailbox),
 * `POST /connect` to Connect's hosted auth, `GET /callback` from it, `POST /disconnect`.
 */
export function crmRoutes(deps: { connect: ConnectClient; sessions: SessionStore }) {
  const { connect, sessions } = deps;

  const badForm = (reply: FastifyReply) =>
    html(
      reply,
      403,
      problemPage({
        title: "Please try again",
        message: "This form expired or did not come from this page. Go back and select it again.",
      }),
    );

  async function home(request: FastifyRequest, reply: FastifyReply) {
    const csrfToken = sessions.csrfToken(request, reply);
    const session = sessions.read(request);
    if (session.grant) {
      try {
        const messages = await connect.messages(session.grant.id, RECENT_MESSAGES);
        return html(reply, 200, mailboxPage({ csrfToken, email: session.grant.email, messages }));
      } catch (error) {
        const status = statusOf(error);
        if (status !== 401 && status !== 404) throw error;
        // The grant was deleted or its access withdrawn: connect again.
        sessions.clear(reply);
        const notice = "Your mailbox connection is no longer valid. Connect it again.";
        return html(reply, 200, connectPage({ csrfToken, notice }));
      }
    }
    if (session.pending) {
      const { approvalId } = session.pending;
      const approvalPageUrl = approvalId ? connect.approvalPageUrl(approvalId) : undefined;
      return html(
        reply,
        200,
        waitingPage({ csrfToken, pending: session.pending, approvalPageUrl }),
      );
    }
    return html(reply, 200, connectPage({ csrfToken }));
  }

  async function callback(request: FastifyRequest, reply: FastifyReply) {
    const query = Callback.safeParse(request.query);
    const attempt = sessions.endAttempt(request, reply, query.data?.state);
    if (!query.success || !attempt)
      return html(
        reply,
        400,
        problemPage({
          title: "This connection attempt has expired",
          message:
            "It was started in another browser or too long ago. Start again from Northwind CRM.",
        }),
      );
    const q = query.data;
    if (q.code) {
      const exchanged = await connect.exchange(q.code).catch((error: unknown) => error as Error);
      if (exchanged instanceof Error)
        return html(
          reply,
          502,
          outcomePage({
            csrfToken: sessions.csrfToken(request, reply),
            title: "Your mailbox was not connected",
            description: `Connect did not complete the connection: ${exchanged.message}`,
            loginHint: attempt.loginHint,
          }),
        );
      sessions.write(reply, { grant: { id: exchanged.grantId, email: exchanged.email } });
      return reply.redirect("/", 303);
    }
    if (q.error_code && APPROVAL_OUTCOMES.has(q.error_code)) {
      const approval = q.pending_approval_id
        ? await connect.approval(q.pending_approval_id)
        : undefined;
      const pending: NonNullable<CrmSession["pending"]> = {
        outcome: q.error_code as "approval_requested" | "admin_approval_required",
        email: approval?.email || attempt.loginHint || "",
        ...(q.pending_approval_id ? { approvalId: q.pending_approval_id } : {}),
      };
      sessions.write(reply, { pending });
      return reply.redirect("/", 303);
    }
    const csrfToken = sessions.csrfToken(request, reply);
    return html(
      reply,
      200,
      outcomePage({
        csrfToken,
        title: "Your mailbox was not connected",
        description: q.error_description ?? q.error ?? "The connection did not complete.",
        loginHint: attempt.loginHint,
      }),
    );
  }

  return async (app: FastifyInstance) => {
    app.get("/", home);
    app.post("/connect", async (request, reply) => {
      const form = ConnectForm.safeParse(request.body ?? {});
      if (!form.success || !sessions.csrfValid(request, form.data.csrf_token))
        return badForm(reply);
      const state = sessions.beginAttempt(reply, form.data.login_hint);
      return reply.redirect(connect.authUrl(state, form.data.login_hint), 303);
    });
    app.get("/callback", callback);
    app.post("/disconnect", async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (!sessions.csrfValid(request, body.csrf_token)) return badForm(reply);
      const { grant } = sessions.read(request);
      if (grant) await connect.disconnect(grant.id);
      sessions.clear(reply);
      return reply.redirect("/", 303);
    });
  };
}
