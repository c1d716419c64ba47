import { Layout } from "./layout.tsx";

export interface PickableAccount {
  id: string;
  displayName: string;
  userPrincipalName: string;
  /** Signed in in this browser right now: picking it needs no password. */
  signedIn: boolean;
}

export interface PickAccountPageProps {
  appName: string;
  actionUrl: string;
  cancelUrl: string;
  csrfToken: string;
  accounts: PickableAccount[];
}

/** "Pick an account" (prompt=select_account): accounts used in this browser, or another one. */
export function PickAccountPage(props: PickAccountPageProps) {
  return (
    <Layout title="Pick an account">
      <h1>Pick an account</h1>
      <p className="muted">
        to continue to <strong>{props.appName}</strong>
      </p>
      <form method="post" action={props.actionUrl}>
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <ul className="accounts">
          {props.accounts.map((account) => (
            <li key={account.id}>
              <button type="submit" name="account" value={account.id}>
                {account.displayName}
                <span className="upn">
                  {account.userPrincipalName}
                  {account.signedIn ? " · Signed in" : ""}
                </span>
              </button>
            </li>
          ))}
          <li>
            <button type="submit" name="account" value="other">
              Use another account
            </button>
          </li>
        </ul>
        <div className="actions">
          <button type="submit" className="secondary" formAction={props.cancelUrl}>
            Cancel
          </button>
        </div>
      </form>
    </Layout>
  );
}
