/**
 * Server-rendered end-user pages (React, no client JavaScript): sign-in, pick an account,
 * sign-out, errors, the consent screens, admin consent, My apps and the admin consent workflow's
 * pages (approval required, request sent, request status, app blocked). Every page is a pure
 * function of its props.
 */
export { AdminConsentPage, type AdminConsentPageProps } from "./admin-consent-page.tsx";
export { AppBlockedPage, type AppBlockedPageProps } from "./app-blocked-page.tsx";
export { AppHeader, type AppIdentity } from "./app-identity.tsx";
export {
  ApprovalRequiredPage,
  type ApprovalRequiredPageProps,
} from "./approval-required-page.tsx";
export { ConsentPage, type ConsentPageProps } from "./consent-page.tsx";
export {
  ConsentRequestStatusPage,
  type ConsentRequestStatusPageProps,
  type RequestStatusShown,
} from "./consent-request-status-page.tsx";
export { readableTime } from "./dates.ts";
export {
  ErrorCodePage,
  type ErrorCodePageProps,
  UnknownErrorCodePage,
} from "./error-code-page.tsx";
export {
  ErrorPage,
  type ErrorPageProps,
  TroubleshootingBlock,
  type TroubleshootingDetails,
} from "./error-page.tsx";
export { Layout, renderPage } from "./layout.tsx";
export { MessagePage, type MessagePageProps } from "./message-page.tsx";
export { type MyAppsEntry, MyAppsPage, type MyAppsPageProps } from "./my-apps-page.tsx";
export {
  NeedAdminApprovalPage,
  type NeedAdminApprovalPageProps,
} from "./need-admin-approval-page.tsx";
export { type PermissionItem, PermissionList } from "./permission-list.tsx";
export {
  PickAccountPage,
  type PickAccountPageProps,
  type PickableAccount,
} from "./pick-account-page.tsx";
export { RequestSentPage, type RequestSentPageProps } from "./request-sent-page.tsx";
export { SignInPage, type SignInPageProps } from "./sign-in-page.tsx";
export { SignedOutPage, SignOutPage, type SignOutPageProps } from "./sign-out-page.tsx";
