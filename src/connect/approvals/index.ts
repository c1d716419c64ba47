export { announceApprovals, resumeUrl } from "./approval-granted.ts";
export { identityEventRoutes } from "./identity-events.ts";
export {
  IDENTITY_EVENT_TYPES,
  identitySecretContext,
  identitySubscriptionRoutes,
} from "./identity-subscription.ts";
export {
  approvePending,
  findPendingApproval,
  type PendingApproval,
  pendingApprovalView,
  recordPendingApproval,
} from "./pending-queries.ts";
export { approvalApiRoutes, approvalPageRoutes } from "./routes.ts";
