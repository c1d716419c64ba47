import { AppHeader, type AppIdentity } from "./app-identity.tsx";
import { Layout } from "./layout.tsx";
import { type PermissionItem, PermissionList } from "./permission-list.tsx";

export interface AdminConsentPageProps {
  app: AppIdentity;
  tenantName: string;
  userPrincipalName: string;
  permissions: PermissionItem[];
  /** Permissions the signed-in administrator's roles do not allow them to grant. */
  ungrantable: string[];
  actionUrl: string;
  csrfToken: string;
  /** The admin consent request, echoed so the server can validate it again on POST. */
  request: { client_id: string; scope: string; redirect_uri: string; state?: string | undefined };
  otherAccountUrl: string;
}

/**
 * Tenant-wide admin consent (`/{tenant}/v2.0/adminconsent`): every permission the app asks
 * for, granted for everyone in the organisation on Accept.
 */
export function AdminConsentPage(props: AdminConsentPageProps) {
  const blocked = props.ungrantable.length > 0;
  return (
    <Layout title="Permissions requested: accept for your organization">
      <p className="muted">{props.userPrincipalName}</p>
      <h1>Permissions requested</h1>
      <p className="muted">Accept for your organization ({props.tenantName})</p>
      <AppHeader app={props.app} />
      <p>This app would like to:</p>
      <PermissionList items={props.permissions} label="Permissions requested" />
      <p>
        If you accept, this app gets access to the specified resources for all users in your
        organization. No one else will be prompted to review these permissions.
      </p>
      {blocked ? (
        <p className="alert" role="alert">
          Your administrator role does not let you grant {props.ungrantable.join(", ")}. A Global
          Administrator or Privileged Role Administrator must grant them.{" "}
          <a href={props.otherAccountUrl}>Sign in with another account</a>
        </p>
      ) : null}
      <form method="post" action={props.actionUrl}>
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        {Object.entries(props.request).map(([name, value]) =>
          value === undefined ? null : <input key={name} type="hidden" name={name} value={value} />,
        )}
        <div className="actions">
          <button type="submit" className="secondary" name="decision" value="cancel">
            Cancel
          </button>
          <button type="submit" name="decision" value="accept" disabled={blocked}>
            Accept
          </button>
        </div>
      </form>
    </Layout>
  );
}
