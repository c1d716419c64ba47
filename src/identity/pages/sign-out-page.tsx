import { Layout } from "./layout.tsx";

export interface SignOutPageProps {
  actionUrl: string;
  /** oidc-provider's end_session xsrf secret: the confirmation form must echo it. */
  xsrf: string;
  userPrincipalName?: string | undefined;
}

/** "Sign out?" confirmation for RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). */
export function SignOutPage(props: SignOutPageProps) {
  return (
    <Layout title="Sign out">
      <h1>Sign out?</h1>
      <p>
        {props.userPrincipalName
          ? `You are signed in as ${props.userPrincipalName}.`
          : "You are signed in."}{" "}
        Signing out ends your session in this browser.
      </p>
      <form method="post" action={props.actionUrl}>
        <input type="hidden" name="xsrf" value={props.xsrf} />
        <div className="actions">
          <button type="submit" className="secondary">
            Stay signed in
          </button>
          <button type="submit" name="logout" value="yes">
            Sign out
          </button>
        </div>
      </form>
    </Layout>
  );
}

/** Shown after sign-out when the app gave no post_logout_redirect_uri. */
export function SignedOutPage(props: { appName?: string | undefined }) {
  return (
    <Layout title="Signed out">
      <h1>You signed out of your account</h1>
      <p>
        {props.appName ? `You have signed out of ${props.appName}. ` : ""}
        It's a good idea to close all browser windows.
      </p>
    </Layout>
  );
}
