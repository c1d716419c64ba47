import { AppHeader, type AppIdentity } from "./app-identity.tsx";
import { TroubleshootingBlock, type TroubleshootingDetails } from "./error-page.tsx";
import { Layout } from "./layout.tsx";

export interface AppBlockedPageProps {
  /** The app; without its publisher (where only the name is at hand) the name alone is shown. */
  app: AppIdentity | { name: string; appId?: string | undefined };
  userPrincipalName?: string | undefined;
  /** The form that returns to the app without access (AADSTS7000112). */
  returnForm?: { url: string; csrfToken: string } | undefined;
  /** Or a link that carries the error to the app. */
  continueUrl?: string | undefined;
  /** For the troubleshooting line: the request id the sign-in log has. */
  requestId?: string | undefined;
  /**
   * Or the whole "Troubleshooting details" block (the authorize endpoint's error page has the
   * request and correlation ids and the timestamp the administrator looks up in Sign-in logs).
   */
  details?: TroubleshootingDetails | undefined;
}

/**
 * An app the organisation blocked (a reviewer chose "Block" on a consent request): nobody can
 * sign in to it or ask for it, so the page offers no request, only the way back to the app,
 * which is told the app is disabled in this tenant (AADSTS7000112).
 */
export function AppBlockedPage(props: AppBlockedPageProps) {
  return (
    <Layout title="This app is blocked">
      {props.userPrincipalName ? <p className="muted">{props.userPrincipalName}</p> : null}
      <h1>Your organization has blocked this app</h1>
      {"publisherVerified" in props.app ? (
        <AppHeader app={props.app} />
      ) : (
        <p className="app-name">{props.app.name}</p>
      )}
      <p>
        An administrator of your organization has blocked {props.app.name}. You cannot sign in to it
        or request access to it.
      </p>
      <p>If you think it should be allowed, contact your administrator.</p>
      {props.details ? null : props.requestId ? (
        <p className="muted">
          Error code AST7000112. Request id for your administrator: {props.requestId}.
        </p>
      ) : null}
      {props.returnForm ? (
        <form method="post" action={props.returnForm.url}>
          <input type="hidden" name="csrf_token" value={props.returnForm.csrfToken} />
          <div className="actions">
            <button type="submit">Back to the app</button>
          </div>
        </form>
      ) : props.continueUrl ? (
        <p>
          {/* Worded as on every error page whose link carries the error to the app. */}
          <a href={props.continueUrl}>Back to the application</a>
        </p>
      ) : null}
      {props.details ? <TroubleshootingBlock details={props.details} /> : null}
    </Layout>
  );
}
