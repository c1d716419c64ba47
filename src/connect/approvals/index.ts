export { announceApprovals, resumeUrl } from "./approval-granted.ts";
export { identityEventRoutes } from "./identity-events.ts";
export {
  approvePending,
  findPendingApproval,
  type PendingApproval,
  pendingApprovalView,
  recordPendingApproval,
} from "./pending-queries.ts";
export { approvalApiRoutes, approvalPageRoutes } from "./routes.ts";
