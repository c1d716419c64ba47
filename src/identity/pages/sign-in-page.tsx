import { Layout } from "./layout.tsx";

export interface SignInPageProps {
  /** The app the user is signing in to (attacker-controlled text: rendered escaped). */
  appName: string;
  tenantName: string;
  actionUrl: string;
  cancelUrl: string;
  csrfToken: string;
  /** Prefilled user name: login_hint, or what the user typed before a failed attempt. */
  username: string;
  /** `domain_hint`: the domain the app expects, shown in the user name's placeholder. */
  domainHint?: string | undefined;
  /** The one message shown for any failure; the precise reason goes to the sign-in log only. */
  error?: string | undefined;
}

/**
 * "Sign in": user principal name and password. Wrong password, unknown user and disabled
 * account all show the same message, so the page does not reveal which accounts exist.
 */
export function SignInPage(props: SignInPageProps) {
  return (
    <Layout title="Sign in to your account">
      <h1>Sign in</h1>
      <p className="muted">
        to continue to <strong>{props.appName}</strong> ({props.tenantName})
      </p>
      {props.error ? (
        <p className="alert" role="alert" id="sign-in-error">
          {props.error}
        </p>
      ) : null}
      <form method="post" action={props.actionUrl} noValidate={false}>
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <label htmlFor="username">User name</label>
        <input
          id="username"
          name="username"
          type="text"
          autoComplete="username"
          placeholder={`someone@${props.domainHint ?? "example.com"}`}
          defaultValue={props.username}
          required
          aria-describedby={props.error ? "sign-in-error" : undefined}
        />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
        <div className="actions">
          <button type="submit" className="secondary" formAction={props.cancelUrl} formNoValidate>
            Cancel
          </button>
          <button type="submit">Sign in</button>
        </div>
      </form>
    </Layout>
  );
}
