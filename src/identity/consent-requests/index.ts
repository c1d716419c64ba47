/**
 * The admin consent workflow (issue 5): users who may not consent to an app ask for approval;
 * one open request per tenant and app gathers every requester; reviewers — users, groups and
 * roles resolved live — approve (all scopes or some, for everyone, groups or users, optionally
 * until a date), deny or block; requests expire; every step is audited and notified (email and
 * signed webhooks) through the outbox in the transaction of the change.
 *
 * The first block is the contract with the user-facing pages (/work/notes/workflow-contract.md).
 */

export { type ApproveConsentRequest, approveConsentRequest } from "./approve.ts";
export type { DecisionOptions } from "./decide.ts";
export { blockConsentRequest, denyConsentRequest } from "./deny-block.ts";
export { type ConsentRequestDetail, getConsentRequest, type ScopeDiff } from "./detail.ts";
export { EXPIRY_ACTOR } from "./expire.ts";

export { type LinkContext, requesterStatusUrl, reviewUrl, tryAgainUrl } from "./links.ts";
export { type ConsentRequestPage, type ListConsentRequests, listConsentRequests } from "./list.ts";
export type { ListSort } from "./list-queries.ts";
export { createNotifyHandler, NOTIFY_JOB_KIND } from "./notify.ts";
export {
  DEFAULT_REQUEST_POLICY,
  getAdminConsentRequestPolicy,
  MAX_REVIEWERS,
  updateAdminConsentRequestPolicy,
} from "./policy.ts";
export { getRequesterView } from "./requester-view.ts";
export { submitConsentRequest } from "./submit.ts";
export {
  CONSENT_REQUEST_SWEEP_JOB_KIND,
  createSweepHandler,
  sweepConsentRequests,
} from "./sweep.ts";
export {
  type AdminConsentRequestPolicy,
  type ApprovalAudience,
  CONSENT_REQUEST_STATUSES,
  type ConsentRequestApp,
  type ConsentRequestStatus,
  type ConsentRequestViewer,
  JUSTIFICATION_MAX_LENGTH,
  type RequesterView,
  type ResourceScopes,
  type SubmitConsentRequest,
} from "./types.ts";
export { unblockServicePrincipal } from "./unblock.ts";
export type { ViewerCapabilities } from "./viewer.ts";
export type { ConsentRequestSummary, DecidedBy } from "./views.ts";
export {
  CONSENT_REQUEST_EVENT_TYPES,
  type ConsentRequestEventType,
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  type WebhookEndpoint,
  webhookEndpointResolver,
} from "./webhook-endpoints.ts";
export { withdrawConsentRequest } from "./withdraw.ts";
