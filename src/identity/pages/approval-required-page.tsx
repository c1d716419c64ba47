import { AppHeader, type AppIdentity } from "./app-identity.tsx";
import { TroubleshootingBlock, type TroubleshootingDetails } from "./error-page.tsx";
import { Layout } from "./layout.tsx";
import { type PermissionItem, PermissionList } from "./permission-list.tsx";

export interface ApprovalRequiredPageProps {
  app: AppIdentity;
  userPrincipalName: string;
  permissions: PermissionItem[];
  /** The form that returns to the app without access (AADSTS90095). */
  returnUrl: string;
  csrfToken: string;
  /** Whether "Request approval" works (the tenant's admin consent request policy is on). */
  requestsEnabled: boolean;
  /** Where "Request approval" posts (the justification and the permissions shown). */
  requestUrl?: string | undefined;
  /** The permissions the page was rendered for; the server checks them against its decision. */
  permissionsField?: string | undefined;
  /** The longest justification accepted, in characters. */
  justificationMaxLength: number;
  /** What the user typed, kept when the page comes back with an error. */
  justification?: string | undefined;
  /** Why the last submission was not accepted. */
  error?: string | undefined;
  /**
   * "Troubleshooting details": the request id, correlation id and timestamp of the sign-in event
   * recorded when the page was first shown, which the administrator looks up in Sign-in logs.
   * The request form carries them, so the page shown again after a refused submission quotes
   * the same event.
   */
  details?: TroubleshootingDetails | undefined;
}

/** The hidden fields that carry the page's troubleshooting ids through the request form. */
export const TRACE_FIELDS = {
  requestId: "trace_request_id",
  correlationId: "trace_correlation_id",
  timestamp: "trace_timestamp",
} as const;

/**
 * "Approval required" (Entra's admin consent workflow prompt): the user cannot consent, and the
 * organisation reviews such apps. The user explains why they need the app and asks for approval,
 * or goes back to the app without access. Its troubleshooting details (the user, the app, the
 * request id and the timestamp) are what the story's user gives the mail administrator, who
 * finds the interrupted sign-in with them in Sign-in logs.
 */
export function ApprovalRequiredPage(props: ApprovalRequiredPageProps) {
  const enabled = props.requestsEnabled && props.requestUrl !== undefined;
  const described = [props.error ? "justification-error" : "", "justification-help"]
    .filter(Boolean)
    .join(" ");
  return (
    <Layout title="Approval required">
      <p className="muted">{props.userPrincipalName}</p>
      <h1>Approval required</h1>
      <AppHeader app={props.app} />
      <p>
        This app needs permissions that only an administrator of your organization can grant. You
        can ask for approval; you will be told by email when it is decided, and you can follow the
        request on its own page.
      </p>
      <PermissionList items={props.permissions} label="Permissions the app needs" />
      {enabled ? (
        <form method="post" action={props.requestUrl}>
          <input type="hidden" name="csrf_token" value={props.csrfToken} />
          <input type="hidden" name="permissions" value={props.permissionsField ?? ""} />
          {props.details
            ? (Object.keys(TRACE_FIELDS) as Array<keyof typeof TRACE_FIELDS>).map((key) => (
                <input
                  key={key}
                  type="hidden"
                  name={TRACE_FIELDS[key]}
                  value={props.details?.[key]}
                />
              ))
            : null}
          <label htmlFor="justification">Why do you need this app? (required)</label>
          {props.error ? (
            <p className="alert" id="justification-error" role="alert">
              {props.error}
            </p>
          ) : null}
          <textarea
            id="justification"
            name="justification"
            rows={4}
            required
            maxLength={props.justificationMaxLength}
            aria-invalid={props.error ? true : undefined}
            aria-describedby={described}
            defaultValue={props.justification ?? ""}
          />
          <p className="muted" id="justification-help">
            Your reviewers read this. Up to {props.justificationMaxLength} characters.
          </p>
          <div className="actions">
            <button type="submit">Request approval</button>
          </div>
        </form>
      ) : (
        <p className="alert" role="status">
          Requests for approval are not enabled in this organization. Ask an administrator to review
          this app.
        </p>
      )}
      <form method="post" action={props.returnUrl}>
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <input type="hidden" name="screen" value="approval_required" />
        <button type="submit" className="link">
          Return to the application without access
        </button>
      </form>
      {props.details ? <TroubleshootingBlock details={props.details} /> : null}
    </Layout>
  );
}
