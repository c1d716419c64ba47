import { AppHeader, type AppIdentity } from "./app-identity.tsx";
import { Layout } from "./layout.tsx";
import { type PermissionItem, PermissionList } from "./permission-list.tsx";

export interface ConsentPageProps {
  app: AppIdentity;
  userPrincipalName: string;
  /** What the user is asked to grant now (incremental consent: only what is new). */
  permissions: PermissionItem[];
  /** Granted before; listed so the user sees the whole picture. */
  alreadyGranted: PermissionItem[];
  actionUrl: string;
  cancelUrl: string;
  csrfToken: string;
  /** The permissions the page was rendered for; the server checks them against its decision. */
  permissionsField: string;
  /** Administrators may tick "Consent on behalf of your organization". */
  showOrganizationCheckbox: boolean;
  reportUrl: string;
  myAppsUrl: string;
}

/**
 * "Permissions requested" (Entra's consent prompt): who asks, what for, Accept or Cancel, and
 * for administrators the choice to grant for everyone in the organisation.
 */
export function ConsentPage(props: ConsentPageProps) {
  const nothingNew = props.permissions.length === 0;
  return (
    <Layout title="Permissions requested">
      <p className="muted">{props.userPrincipalName}</p>
      <h1>Permissions requested</h1>
      <AppHeader app={props.app} />
      {props.app.publisherVerified ? null : (
        <p className="muted">
          This app's publisher has not been verified. Only accept if you trust the app.
        </p>
      )}
      {nothingNew ? (
        <p>This app already has the permissions it asks for:</p>
      ) : (
        <>
          <p>This app would like to:</p>
          <PermissionList items={props.permissions} label="Permissions requested" />
        </>
      )}
      {props.alreadyGranted.length > 0 ? (
        <details open={nothingNew}>
          <summary>Permissions it already has ({props.alreadyGranted.length})</summary>
          <PermissionList items={props.alreadyGranted} label="Permissions already granted" />
        </details>
      ) : null}
      <form method="post" action={props.actionUrl}>
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <input type="hidden" name="permissions" value={props.permissionsField} />
        {props.showOrganizationCheckbox ? (
          <p className="check">
            <input
              type="checkbox"
              id="for_organization"
              name="for_organization"
              value="yes"
              aria-describedby="for-organization-help"
            />
            <label htmlFor="for_organization">Consent on behalf of your organization</label>
            <span id="for-organization-help" className="muted">
              Grants these permissions for every user in the organization, who will not be asked.
            </span>
          </p>
        ) : null}
        <p className="muted">
          Accepting lets this app use your data as its terms and privacy statement say. You can
          remove these permissions at <a href={props.myAppsUrl}>My apps</a>.{" "}
          <a href={props.reportUrl}>Does this app look suspicious? Report it here</a>.
        </p>
        <div className="actions">
          <button type="submit" className="secondary" formAction={props.cancelUrl}>
            Cancel
          </button>
          <button type="submit">Accept</button>
        </div>
      </form>
    </Layout>
  );
}
