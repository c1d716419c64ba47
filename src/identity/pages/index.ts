/**
 * Server-rendered end-user pages (React, no client JavaScript): sign-in, pick an account,
 * sign-out, errors. Every page is a pure function of its props.
 */
export {
  ErrorCodePage,
  type ErrorCodePageProps,
  UnknownErrorCodePage,
} from "./error-code-page.tsx";
export { ErrorPage, type ErrorPageProps, type TroubleshootingDetails } from "./error-page.tsx";
export { Layout, renderPage } from "./layout.tsx";
export {
  PickAccountPage,
  type PickAccountPageProps,
  type PickableAccount,
} from "./pick-account-page.tsx";
export { SignInPage, type SignInPageProps } from "./sign-in-page.tsx";
export { SignedOutPage, SignOutPage, type SignOutPageProps } from "./sign-out-page.tsx";
