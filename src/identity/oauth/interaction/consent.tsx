import type { FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "../../../platform/http/errors.ts";
import { isOidcScope, resourceIdentifierUri } from "../../apps/index.ts";
import { acceptConsent, recordConsent } from "../../consent/index.ts";
import {
  getAdminConsentRequestPolicy,
  getRequesterView,
  JUSTIFICATION_MAX_LENGTH,
  submitConsentRequest,
} from "../../consent-requests/index.ts";
import { TRACE_FIELDS } from "../../pages/approval-required-page.tsx";
import {
  AppBlockedPage,
  ApprovalRequiredPage,
  ConsentPage,
  NeedAdminApprovalPage,
  RequestSentPage,
  readableTime,
  renderPage,
} from "../../pages/index.ts";
import { catalogEntry } from "../error-catalog.ts";
import { entraTimestamp, requestContextOf } from "../errors/request-context.ts";
import { mountPathOf, type OAuthDeps } from "../provider/runtime.ts";
import { requestFields } from "../sign-in-events.ts";
import {
  type ConsentState,
  loadConsentState,
  missingByResource,
  normalisePermissionsField,
} from "./consent-state.ts";
import { type InteractionScope, sendErrorPage } from "./interaction-context.ts";

/**
 * The consent step of the sign-in interaction (oidc-provider's "consent" prompt): the screen
 * the decision calls for (docs/ARCHITECTURE.md, "The decision at the heart"), and its forms.
 * Every POST recomputes the decision from the database: a form can only confirm what the
 * decision allows now, never add to it. "Approval required" sends a request for approval
 * (the admin consent workflow, ../../consent-requests) and shows "Request sent".
 */

const UNUSABLE = 50089;

function html(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply
    .code(status)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(body);
}

/** Ends the interaction with an Entra-coded error sent back to the app. */
function finishWithError(scope: InteractionScope, code: number, message?: string) {
  const entry = catalogEntry(code);
  return scope.finish({
    error: entry.error,
    error_description: `AST${code}: ${message ?? entry.message}`,
  });
}

async function stateOf(request: FastifyRequest, scope: InteractionScope, deps: OAuthDeps) {
  return loadConsentState(
    deps,
    scope.tenantProvider.runtime.tenant.id,
    scope.details,
    requestContextOf(request.raw).correlationId,
  );
}

/** The authorization request again, for another account (prompt=login), with Entra scopes. */
function adminSignInUrl(scope: InteractionScope, deps: OAuthDeps, state: ConsentState): string {
  const tenantId = scope.tenantProvider.runtime.tenant.id;
  const query = new URLSearchParams();
  const skip = new Set(["scope", "resource", "prompt", "login_hint", "id_token_hint"]);
  for (const [key, value] of Object.entries(scope.details.params))
    if (typeof value === "string" && !skip.has(key)) query.set(key, value);
  // Stored scopes are bare values; the new request must name their resource again.
  const scopes = state.evaluation.resources.flatMap((r) =>
    r.requested.map((v) => (isOidcScope(v) ? v : `${resourceIdentifierUri(r.application)}/${v}`)),
  );
  query.set("scope", scopes.join(" "));
  query.set("prompt", "login");
  return `${mountPathOf(deps.publicUrl, tenantId)}/oauth2/v2.0/authorize?${query}`;
}

/** GET of the consent step: the screen for the decision, or straight on when nothing is asked. */
export async function sendConsentStep(
  request: FastifyRequest,
  reply: FastifyReply,
  scope: InteractionScope,
  deps: OAuthDeps,
): Promise<FastifyReply> {
  const state = await stateOf(request, scope, deps);
  if (!state) return sendErrorPage(request, reply, deps, UNUSABLE, 400);
  const { decision } = state.evaluation;
  const tenantPath = mountPathOf(deps.publicUrl, scope.tenantProvider.runtime.tenant.id);
  const common = {
    app: state.app,
    userPrincipalName: state.user.userPrincipalName,
    csrfToken: scope.csrfToken,
  };
  switch (decision.kind) {
    case "app_disabled":
      return decision.reason === "blocked"
        ? sendBlocked(request, reply, scope, state)
        : finishWithError(scope, 7000112);
    case "not_assigned":
      return finishWithError(scope, 50105);
    case "granted":
      // Only prompt=consent brings a fully granted request here: show what the app holds.
      if (!scope.details.prompt.reasons.includes("consent_prompt"))
        return scope.finish({ consent: {} });
      break;
    case "approval_required":
      return sendApprovalRequired(request, reply, scope, deps, state);
    case "admin_approval_needed":
      return html(
        reply,
        renderPage(
          <NeedAdminApprovalPage
            {...common}
            adminSignInUrl={adminSignInUrl(scope, deps, state)}
            returnUrl={`${scope.basePath}/return`}
            riskyApp={decision.riskyApp}
          />,
        ),
      );
  }
  return html(
    reply,
    renderPage(
      <ConsentPage
        {...common}
        permissions={state.missing}
        alreadyGranted={state.granted}
        actionUrl={`${scope.basePath}/consent`}
        cancelUrl={`${scope.basePath}/cancel`}
        permissionsField={state.missingField}
        showOrganizationCheckbox={decision.kind !== "granted" && decision.canConsentForOrganization}
        reportUrl={`${tenantPath}/report-app?app_id=${encodeURIComponent(state.application.appId)}`}
        myAppsUrl={`${tenantPath}/myapps`}
      />,
    ),
  );
}

/**
 * POST "Accept": the permissions the page showed must be exactly what the decision still asks
 * for, and "on behalf of your organization" needs a role that may grant tenant-wide; otherwise
 * AADSTS90093 and nothing is written.
 */
export async function handleConsent(
  request: FastifyRequest,
  reply: FastifyReply,
  scope: InteractionScope,
  deps: OAuthDeps,
): Promise<FastifyReply> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const state = await stateOf(request, scope, deps);
  if (!state) return sendErrorPage(request, reply, deps, UNUSABLE, 400);
  const { decision } = state.evaluation;
  if (decision.kind === "app_disabled") return finishWithError(scope, 7000112);
  if (decision.kind === "not_assigned") return finishWithError(scope, 50105);
  const posted = normalisePermissionsField(body.permissions);
  const forOrganization = body.for_organization === "yes";
  const refuse = () =>
    sendErrorPage(request, reply, deps, 90093, 403, {
      name: state.application.displayName,
      id: state.application.appId,
    });
  // Judged against the decision now: another tab's Accept may have granted what the page showed.
  const acceptance = acceptConsent(
    decision,
    posted?.split(" ").filter(Boolean) ?? [],
    forOrganization,
  );
  if (posted === undefined || acceptance.kind === "refuse") return refuse();
  const tenantId = scope.tenantProvider.runtime.tenant.id;
  const parts = acceptance.parts.flatMap((p) => {
    const resource = state.evaluation.resources.find(
      (r) => r.application.appId === p.resourceAppId,
    );
    return resource ? [{ resourceApplicationId: resource.application.id, scopes: p.scopes }] : [];
  });
  if (parts.length === 0) return scope.finish({ consent: {} });
  await recordConsent(deps.db, {
    tenantId,
    client: state.application,
    userId: state.user.id,
    userPrincipalName: state.user.userPrincipalName,
    forOrganization,
    parts,
    correlationId: requestContextOf(request.raw).correlationId,
  });
  return scope.finish({ consent: {} });
}

// The screens whose way back tells the app that approval is pending (AADSTS90095).
const APPROVAL_SCREENS = new Set(["approval_required", "request_sent"]);

/**
 * POST "Return to the application": back to the app without access, with the code of what
 * stands in the way now: 7000112 a disabled or blocked app, 50105 not assigned, 90095 approval
 * required (also from "Request sent", whatever was decided since: the user chose to go back),
 * 90094 need admin approval; 65004 (declined) otherwise.
 */
export async function handleReturn(
  request: FastifyRequest,
  _reply: FastifyReply,
  scope: InteractionScope,
  deps: OAuthDeps,
): Promise<FastifyReply> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const state = await stateOf(request, scope, deps);
  const kind = state?.evaluation.decision.kind;
  const code =
    kind === "app_disabled"
      ? 7000112
      : kind === "not_assigned"
        ? 50105
        : kind === "approval_required" || APPROVAL_SCREENS.has(String(body.screen))
          ? 90095
          : kind === "admin_approval_needed"
            ? 90094
            : 65004;
  return finishWithError(scope, code);
}

/** The ids of one showing of "Approval required": those of its sign-in event. */
interface PageTrace {
  requestId: string;
  correlationId: string;
  timestamp: string;
}

const TRACE_ID = /^[0-9a-zA-Z-]{1,64}$/;
const TRACE_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/;

/**
 * The trace the request form carried back (the page it was posted from), when well formed. It
 * is only shown to the same user again, never recorded, so a forged one misleads no one else.
 */
function postedTrace(body: Record<string, unknown>): PageTrace | undefined {
  const requestId = body[TRACE_FIELDS.requestId];
  const correlationId = body[TRACE_FIELDS.correlationId];
  const timestamp = body[TRACE_FIELDS.timestamp];
  if (typeof requestId !== "string" || !TRACE_ID.test(requestId)) return undefined;
  if (typeof correlationId !== "string" || !TRACE_ID.test(correlationId)) return undefined;
  if (typeof timestamp !== "string" || !TRACE_TIME.test(timestamp)) return undefined;
  return { requestId, correlationId, timestamp };
}

/**
 * "Approval required", with the justification form when the tenant takes requests, and the
 * troubleshooting details the user gives the administrator. Shown for the consent step (no
 * `form`), it records the interrupted interactive sign-in those details find in Sign-in logs:
 * AADSTS90095, Entra's code for this interrupt of the admin consent workflow (90094 is "Need
 * admin approval", where users cannot ask; 65001 a missing grant at the token endpoint). Shown
 * again after a refused submission, it quotes that first event and records nothing more.
 */
async function sendApprovalRequired(
  request: FastifyRequest,
  reply: FastifyReply,
  scope: InteractionScope,
  deps: OAuthDeps,
  state: ConsentState,
  form: { justification?: string; error?: string; status?: number; trace?: PageTrace } = {},
): Promise<FastifyReply> {
  const tenantId = scope.tenantProvider.runtime.tenant.id;
  const policy = await getAdminConsentRequestPolicy(deps.db, tenantId);
  const code = 90095;
  const context = requestContextOf(request.raw);
  const trace = form.trace ?? {
    requestId: context.requestId,
    correlationId: context.correlationId,
    timestamp: entraTimestamp(context.timestamp),
  };
  const app = { appId: state.application.appId, displayName: state.application.displayName };
  if (!form.error)
    deps.signIns.record({
      tenantId,
      ...requestFields({ req: request.raw }),
      eventType: "interactiveUser",
      status: "interrupted",
      errorCode: code,
      failureReason: catalogEntry(code).message,
      user: {
        id: state.user.id,
        userPrincipalName: state.user.userPrincipalName,
        displayName: state.user.displayName,
      },
      app,
      clientAppUsed: "Browser",
    });
  return html(
    reply,
    renderPage(
      <ApprovalRequiredPage
        app={state.app}
        userPrincipalName={state.user.userPrincipalName}
        csrfToken={scope.csrfToken}
        permissions={state.missing}
        returnUrl={`${scope.basePath}/return`}
        requestsEnabled={policy.isEnabled}
        requestUrl={`${scope.basePath}/request-approval`}
        permissionsField={state.missingField}
        justificationMaxLength={JUSTIFICATION_MAX_LENGTH}
        justification={form.justification}
        error={form.error}
        details={{
          code,
          ...trace,
          message: `AST${code}: ${catalogEntry(code).message}`,
          userPrincipalName: state.user.userPrincipalName,
          appName: app.displayName,
          appId: app.appId,
          ip: context.ip,
        }}
      />,
    ),
    form.status,
  );
}

/** "Your organization has blocked this app": no request possible, only the way back. */
function sendBlocked(
  request: FastifyRequest,
  reply: FastifyReply,
  scope: InteractionScope,
  state: ConsentState,
): FastifyReply {
  return html(
    reply,
    renderPage(
      <AppBlockedPage
        app={state.app}
        userPrincipalName={state.user.userPrincipalName}
        returnForm={{ url: `${scope.basePath}/return`, csrfToken: scope.csrfToken }}
        requestId={requestContextOf(request.raw).requestId}
      />,
    ),
    403,
  );
}

/**
 * POST "Request approval": the decision must still be "approval required" and the permissions
 * the page showed still what it misses; the justification is required and bounded (an empty or
 * overlong one brings the page back with what the user typed). Then the tenant's open request
 * for the app gets this user's entry, and the user sees "Request sent" with the link to the
 * request's status page. A blocked app gets the blocked page.
 */
export async function handleRequestApproval(
  request: FastifyRequest,
  reply: FastifyReply,
  scope: InteractionScope,
  deps: OAuthDeps,
): Promise<FastifyReply> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const state = await stateOf(request, scope, deps);
  if (!state) return sendErrorPage(request, reply, deps, UNUSABLE, 400);
  const { decision } = state.evaluation;
  if (decision.kind === "app_disabled")
    return decision.reason === "blocked"
      ? sendBlocked(request, reply, scope, state)
      : finishWithError(scope, 7000112);
  if (decision.kind === "not_assigned") return finishWithError(scope, 50105);
  if (decision.kind !== "approval_required")
    return sendErrorPage(request, reply, deps, 90093, 403, {
      name: state.application.displayName,
      id: state.application.appId,
    });
  const typed = typeof body.justification === "string" ? body.justification : "";
  const justification = typed.trim();
  // The page again, quoting the sign-in event recorded when it was first shown.
  const again = (error: string, status = 400) =>
    sendApprovalRequired(request, reply, scope, deps, state, {
      justification: typed,
      error,
      status,
      trace: postedTrace(body),
    });
  if (!justification)
    return again("Enter why you need this app. Your reviewers decide with what you write.");
  if (justification.length > JUSTIFICATION_MAX_LENGTH)
    return again(
      `Your reason is ${justification.length} characters long. Shorten it to ${JUSTIFICATION_MAX_LENGTH} characters or fewer.`,
    );
  if (normalisePermissionsField(body.permissions) !== state.missingField)
    return again(
      "What the app asks for changed while this page was open. Check the permissions and send your request again.",
      409,
    );
  const tenantId = scope.tenantProvider.runtime.tenant.id;
  let requestId: string;
  try {
    ({ requestId } = await submitConsentRequest(deps.db, {
      tenantId,
      clientApplicationId: state.application.id,
      userId: state.user.id,
      justification,
      requested: missingByResource(state),
      correlationId: requestContextOf(request.raw).correlationId,
      ...(deps.consentRequestsPerUser === undefined
        ? {}
        : { perUserLimit: deps.consentRequestsPerUser }),
    }));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === "consent_request.app_blocked")
      return sendBlocked(request, reply, scope, state);
    if (error.code === "consent_request.workflow_disabled") return again(error.message, 409);
    if (error.code === "consent_request.invalid_justification") return again(error.message);
    if (error.code === "consent_request.too_many") return again(error.message, 429);
    throw error;
  }
  const [policy, view] = await Promise.all([
    getAdminConsentRequestPolicy(deps.db, tenantId),
    getRequesterView(deps.db, { tenantId, requestId, userId: state.user.id }),
  ]);
  return html(
    reply,
    renderPage(
      <RequestSentPage
        app={state.app}
        userPrincipalName={state.user.userPrincipalName}
        permissions={state.missing}
        justification={view?.requester.justification ?? justification}
        reviewersNotified={policy.notifyReviewers}
        statusUrl={`${mountPathOf(deps.publicUrl, tenantId)}/consent-requests/${requestId}`}
        expiresOn={view ? readableTime(view.expiresAt) : undefined}
        returnUrl={`${scope.basePath}/return`}
        csrfToken={scope.csrfToken}
      />,
    ),
  );
}
