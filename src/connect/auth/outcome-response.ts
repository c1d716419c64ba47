import type { FastifyReply, FastifyRequest } from "fastify";
import { resumeUrl } from "../approvals/approval-granted.ts";
import { recordPendingApproval } from "../approvals/pending-queries.ts";
import type { ConnectContext } from "../context.ts";
import { emitEvent } from "../events/emit.ts";
import { appRedirectUrl, sendHtml } from "../http/pages.ts";
import { OUTCOME_TEXT } from "../outcomes/catalog.ts";
import { classify, needsAdministrator, type ProviderErrorResponse } from "../outcomes/classify.ts";
import { MessagePage, type PageLink } from "../pages/index.ts";
import type { AuthSession } from "./auth-sessions.ts";

/** A provider-supplied value for the details list, bounded (it arrives in the query string). */
function shortText(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim().slice(0, 100) : undefined;
}

/**
 * The account's address, or "" when it is not one plain address: a login hint is the app's (or
 * a link's) text, and "megan@x.example, victim@evil.example" must not become two recipients of
 * the approval email (nor a CR/LF header break).
 */
function singleAddress(value: string): string {
  return /^[^\s@,;:<>()[\]"\\]+@[^\s@,;:<>()[\]"\\]+$/.test(value) ? value : "";
}

/**
 * The provider's troubleshooting details: Entra's JSON errors carry `trace_id`,
 * `correlation_id` and `timestamp`; its front-channel errors carry them as lines of
 * `error_description` ("Trace ID: …", "Correlation ID: …", "Timestamp: …").
 */
export function providerTrace(response: ProviderErrorResponse) {
  const description = response.error_description ?? "";
  const line = (name: string) => new RegExp(`^${name}: *(.+?) *$`, "m").exec(description)?.[1];
  return {
    requestId: shortText(response.trace_id ?? line("Trace ID")),
    correlationId: shortText(response.correlation_id ?? line("Correlation ID")),
    timestamp: shortText(response.timestamp ?? line("Timestamp")),
  };
}

/**
 * A provider said no: classify its answer, record a pending approval when only an
 * administrator can clear it (and fire `grant.approval_required` the first time), and show the
 * person a page in plain words with the way on — back to the application (whose redirect carries
 * `error`, the stable `error_code`, `error_description` and `state`), and for admin outcomes the
 * approval page to share with their administrator.
 */
export async function sendOutcome(
  ctx: ConnectContext,
  request: FastifyRequest,
  reply: FastifyReply,
  session: AuthSession,
  response: ProviderErrorResponse,
  who: { email: string | undefined; tenant: string | undefined },
): Promise<FastifyReply> {
  const outcome = classify(response);
  const trace = providerTrace(response);
  const text = OUTCOME_TEXT[outcome.kind];
  const links: PageLink[] = [];
  let approvalId: string | undefined;
  if (needsAdministrator(outcome.kind)) {
    const email = singleAddress((who.email ?? session.login_hint ?? "").trim().toLowerCase());
    const tenant = who.tenant ?? (email.includes("@") ? email.split("@")[1] : undefined) ?? "";
    const fired = await ctx.db.transaction().execute(async (trx) => {
      const { approval, fired } = await recordPendingApproval(trx, {
        applicationId: session.application_id,
        provider: session.provider,
        providerTenant: tenant,
        email,
        outcome: outcome.kind,
        errorCode: outcome.providerCode?.toString() ?? response.error,
        errorDescription: response.error_description,
        redirectUri: session.redirect_uri,
        scope: session.scope,
      });
      approvalId = approval.id;
      if (fired)
        await emitEvent(trx, session.application_id, "grant.approval_required", {
          id: approval.id,
          provider: approval.provider,
          provider_tenant: approval.provider_tenant,
          email: approval.email || undefined,
          outcome: outcome.kind,
          provider_error_code: outcome.providerCode,
          approval_page_url: `${ctx.publicUrl}/v3/connect/approvals/${approval.id}`,
          resume_url: resumeUrl(ctx.publicUrl, approval.id),
        });
      return fired;
    });
    if (fired) ctx.wake();
    links.push({
      text: "Approval page for your administrator",
      href: `${ctx.publicUrl}/v3/connect/approvals/${approvalId}`,
      secondary: true,
    });
  }
  const description = `${text.title}: ${text.happened}${outcome.providerCode ? ` (provider code ${outcome.providerCode})` : ""}`;
  const back = appRedirectUrl(session.redirect_uri, {
    error: text.error,
    error_code: outcome.kind,
    error_description: description,
    provider_error_code: outcome.providerCode?.toString(),
    pending_approval_id: approvalId,
    state: session.app_state ?? undefined,
  });
  links.unshift({ text: "Return to the application", href: back });
  return sendHtml(
    reply,
    200,
    MessagePage({
      title: text.title,
      paragraphs: [text.happened, text.next],
      links,
      details: [
        ["Outcome", outcome.kind],
        ["Provider code", outcome.providerCode?.toString()],
        ["Provider error", response.error],
        ["Account", who.email ?? session.login_hint ?? undefined],
        ["Request id", request.id],
        ["Time", new Date().toISOString()],
        // The provider's own troubleshooting details (Entra's trace id, correlation id and
        // timestamp): with the account's email, what the organisation's administrator needs to
        // find this attempt in their sign-in logs.
        ["Provider request id", trace.requestId],
        ["Provider correlation id", trace.correlationId],
        ["Provider timestamp", trace.timestamp],
      ],
    }),
  );
}
