/**
 * Server-rendered end-user pages (React, no client JavaScript): sign-in, pick an account,
 * sign-out, errors, the consent screens, admin consent and My apps. Every page is a pure
 * function of its props.
 */
export { AdminConsentPage, type AdminConsentPageProps } from "./admin-consent-page.tsx";
export { AppHeader, type AppIdentity } from "./app-identity.tsx";
export {
  ApprovalRequiredPage,
  type ApprovalRequiredPageProps,
} from "./approval-required-page.tsx";
export { ConsentPage, type ConsentPageProps } from "./consent-page.tsx";
export {
  ErrorCodePage,
  type ErrorCodePageProps,
  UnknownErrorCodePage,
} from "./error-code-page.tsx";
export { ErrorPage, type ErrorPageProps, type TroubleshootingDetails } from "./error-page.tsx";
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
export { SignInPage, type SignInPageProps } from "./sign-in-page.tsx";
export { SignedOutPage, SignOutPage, type SignOutPageProps } from "./sign-out-page.tsx";
