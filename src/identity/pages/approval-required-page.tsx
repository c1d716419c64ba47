import { AppHeader, type AppIdentity } from "./app-identity.tsx";
import { Layout } from "./layout.tsx";
import { type PermissionItem, PermissionList } from "./permission-list.tsx";

export interface ApprovalRequiredPageProps {
  app: AppIdentity;
  userPrincipalName: string;
  permissions: PermissionItem[];
  /** The form that returns to the app without access (AADSTS90095). */
  returnUrl: string;
  csrfToken: string;
  /** Whether "Request approval" works yet (the admin consent workflow builds on this page). */
  requestsEnabled: boolean;
  requestUrl?: string | undefined;
}

/**
 * "Approval required" (Entra's admin consent workflow prompt): the user cannot consent, and the
 * organisation reviews such apps. The user explains why they need the app and asks for approval.
 */
export function ApprovalRequiredPage(props: ApprovalRequiredPageProps) {
  return (
    <Layout title="Approval required">
      <p className="muted">{props.userPrincipalName}</p>
      <h1>Approval required</h1>
      <AppHeader app={props.app} />
      <p>
        This app needs permissions that only an administrator of your organization can grant. You
        can ask for approval; you will be told by email when it is decided.
      </p>
      <PermissionList items={props.permissions} label="Permissions the app needs" />
      <form method="post" action={props.requestUrl ?? props.returnUrl}>
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <label htmlFor="justification">Why do you need this app?</label>
        <textarea
          id="justification"
          name="justification"
          rows={4}
          maxLength={1000}
          aria-describedby={props.requestsEnabled ? undefined : "requests-status"}
        />
        {props.requestsEnabled ? null : (
          <p className="alert" id="requests-status" role="status">
            Requests for approval are not yet enabled in this organization. Ask an administrator to
            review this app.
          </p>
        )}
        <div className="actions">
          <button type="submit" className="secondary" formAction={props.returnUrl}>
            Return to the application
          </button>
          <button type="submit" disabled={!props.requestsEnabled}>
            Request approval
          </button>
        </div>
      </form>
    </Layout>
  );
}
