import { AppHeader, type AppIdentity } from "./app-identity.tsx";
import { Layout } from "./layout.tsx";

export interface NeedAdminApprovalPageProps {
  app: AppIdentity;
  userPrincipalName: string;
  /** A new sign-in for this request (prompt=login), for an administrator's account. */
  adminSignInUrl: string;
  /** The form that returns to the app without access (AADSTS90094). */
  returnUrl: string;
  csrfToken: string;
  riskyApp: boolean;
}

/** "Need admin approval" (Entra, workflow off): only an administrator can let the app in. */
export function NeedAdminApprovalPage(props: NeedAdminApprovalPageProps) {
  return (
    <Layout title="Need admin approval">
      <p className="muted">{props.userPrincipalName}</p>
      <h1>Need admin approval</h1>
      <AppHeader app={props.app} />
      <p>
        {props.app.name} needs permission to access resources in your organization that only an
        admin can grant. Please ask an admin to grant permission to this app before you can use it.
      </p>
      {props.riskyApp ? (
        <p className="muted">
          The app comes from an unverified publisher and asks for more than basic permissions.
        </p>
      ) : null}
      <p>
        <a href={props.adminSignInUrl}>Have an admin account? Sign in with that account</a>
      </p>
      <form method="post" action={props.returnUrl}>
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <button type="submit" className="link">
          Return to the application without granting consent
        </button>
      </form>
    </Layout>
  );
}
