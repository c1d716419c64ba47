import type { FastifyReply, FastifyRequest } from "fastify";
import { isOidcScope, resourceIdentifierUri } from "../../apps/index.ts";
import { recordConsent } from "../../consent/index.ts";
import {
  ApprovalRequiredPage,
  ConsentPage,
  NeedAdminApprovalPage,
  renderPage,
} from "../../pages/index.ts";
import { catalogEntry } from "../error-catalog.ts";
import { requestContextOf } from "../errors/request-context.ts";
import { mountPathOf, type OAuthDeps } from "../provider/runtime.ts";
import { type ConsentState, loadConsentState, normalisePermissionsField } from "./consent-state.ts";
import { type InteractionScope, sendErrorPage } from "./interaction-context.ts";

/**
 * The consent step of the sign-in interaction (oidc-provider's "consent" prompt): the screen
 * the decision calls for (docs/ARCHITECTURE.md, "The decision at the heart"), and its forms.
 * Every POST recomputes the decision from the database: a form can only confirm what the
 * decision allows now, never add to it.
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
      return finishWithError(scope, 7000112);
    case "not_assigned":
      return finishWithError(scope, 50105);
    case "granted":
      // Only prompt=consent brings a fully granted request here: show what the app holds.
      if (!scope.details.prompt.reasons.includes("consent_prompt"))
        return scope.finish({ consent: {} });
      break;
    case "approval_required":
      return html(
        reply,
        renderPage(
          <ApprovalRequiredPage
            {...common}
            permissions={state.missing}
            returnUrl={`${scope.basePath}/return`}
            requestsEnabled={false}
          />,
        ),
      );
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
  if (posted !== state.missingField) return refuse();
  if (decision.kind === "granted")
    return forOrganization ? refuse() : scope.finish({ consent: {} });
  if (decision.kind !== "user_consent" && decision.kind !== "admin_consent") return refuse();
  if (forOrganization && !decision.canConsentForOrganization) return refuse();
  const tenantId = scope.tenantProvider.runtime.tenant.id;
  const parts = decision.parts.flatMap((p) => {
    const resource = state.evaluation.resources.find(
      (r) => r.application.appId === p.resourceAppId,
    );
    const scopes = forOrganization ? [...p.granted, ...p.missing] : p.missing;
    return resource && p.missing.length > 0
      ? [{ resourceApplicationId: resource.application.id, scopes }]
      : [];
  });
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

/**
 * POST "Return to the application": back to the app without access, with the code of the
 * screen the user saw (90095 approval required, 90094 need admin approval; 65004 otherwise).
 */
export async function handleReturn(
  request: FastifyRequest,
  _reply: FastifyReply,
  scope: InteractionScope,
  deps: OAuthDeps,
): Promise<FastifyReply> {
  const state = await stateOf(request, scope, deps);
  const kind = state?.evaluation.decision.kind;
  const code =
    kind === "approval_required" ? 90095 : kind === "admin_approval_needed" ? 90094 : 65004;
  return finishWithError(scope, code);
}
