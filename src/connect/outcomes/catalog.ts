import type { OutcomeKind } from "./classify.ts";

/** What a person and an application are told about an outcome. */
export interface OutcomeText {
  /** The OAuth `error` the application's redirect carries. */
  error: string;
  title: string;
  /** What happened, in plain words. */
  happened: string;
  /** What to do next. */
  next: string;
}

// The texts name "your organisation's administrator" rather than a product: the same outcome
// comes from Microsoft Entra, Assent Identity or Google Workspace.
export const OUTCOME_TEXT: Record<OutcomeKind, OutcomeText> = {
  consent_required: {
    error: "consent_required",
    title: "Your permission is needed",
    happened: "Your account has not yet allowed this app to read your mail.",
    next: "Try connecting again and accept the permissions on your organisation's screen.",
  },
  admin_approval_required: {
    error: "access_denied",
    title: "Your administrator must approve this app",
    happened:
      "Your organisation does not let users allow this app by themselves: only an administrator can grant the permissions it asks for.",
    next: "Share the approval page below with your administrator. Once they approve, you will get an email with a link to finish connecting.",
  },
  approval_requested: {
    error: "access_denied",
    title: "Approval requested",
    happened:
      "Your organisation requires an administrator to approve this app, and your request for approval has been sent to them.",
    next: "Nothing more to do for now: when your administrator approves, you will get an email with a link to finish connecting. You can also share the approval page below with them.",
  },
  not_assigned: {
    error: "access_denied",
    title: "You are not assigned to this app",
    happened:
      "Your organisation allows only the people it has assigned to use this app, and your account is not one of them.",
    next: "Ask your administrator to assign you (or one of your groups) to the app, then try again.",
  },
  app_disabled: {
    error: "unauthorized_client",
    title: "This app is disabled in your organisation",
    happened: "An administrator of your organisation has turned this app off for sign-in.",
    next: "Ask your administrator whether the app may be enabled again, then try again.",
  },
  app_not_found_in_tenant: {
    error: "unauthorized_client",
    title: "This app is not available in your organisation",
    happened:
      "Your organisation's directory does not know this app: it was never added there, or it was removed.",
    next: "Ask your administrator to add the app (an administrator can approve it from the approval page), or sign in with an account of another organisation.",
  },
  admin_policy_enforced: {
    error: "access_denied",
    title: "Your organisation blocks this app",
    happened:
      "Your Google Workspace administrator does not allow this app to access your organisation's data.",
    next: "Share the approval page below with your administrator: they can mark the app as trusted in the Admin console.",
  },
  org_internal: {
    error: "access_denied",
    title: "This app is limited to another organisation",
    happened:
      "The app's Google sign-in is set up for users of one organisation only, and your account is not in it.",
    next: "Sign in with an account of that organisation, or ask the app's developer to open the app to external users.",
  },
  user_declined: {
    error: "access_denied",
    title: "Connection cancelled",
    happened: "The permissions were declined, so the app was not connected.",
    next: "If that was a mistake, go back to the app and connect again.",
  },
  provider_error: {
    error: "provider_error",
    title: "The connection did not complete",
    happened: "Your account provider answered with an error Connect could not resolve.",
    next: "Try again. If it keeps failing, give the app's support the details below.",
  },
};
