import { AppHeader, type AppIdentity } from "./app-identity.tsx";
import { Layout } from "./layout.tsx";

export interface MyAppsEntry {
  app: AppIdentity;
  /** Posted back to remove the app. */
  id: string;
  permissions: Array<{ resourceName: string; scopes: string[] }>;
  grantedAt: string;
}

export interface MyAppsPageProps {
  userPrincipalName: string;
  tenantName: string;
  apps: MyAppsEntry[];
  removeUrl: string;
  csrfToken: string;
  notice?: string | undefined;
}

/** "My apps": the apps the user let use their data, and a way to take that back. */
export function MyAppsPage(props: MyAppsPageProps) {
  return (
    <Layout title="My apps">
      <p className="muted">
        {props.userPrincipalName} ({props.tenantName})
      </p>
      <h1>My apps</h1>
      {props.notice ? (
        <p className="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      {props.apps.length === 0 ? (
        <p>You have not given any app access to your data.</p>
      ) : (
        <>
          <p>Apps you gave access to your data. Removing one signs it out of your account.</p>
          <ul className="my-apps">
            {props.apps.map((entry) => (
              <li key={entry.id}>
                <AppHeader app={entry.app} />
                <ul className="scopes">
                  {entry.permissions.map((p) => (
                    <li key={p.resourceName}>
                      {p.resourceName}: {p.scopes.join(", ")}
                    </li>
                  ))}
                </ul>
                <p className="muted">Granted {entry.grantedAt}</p>
                <form method="post" action={props.removeUrl}>
                  <input type="hidden" name="csrf_token" value={props.csrfToken} />
                  <input type="hidden" name="app" value={entry.id} />
                  <button
                    type="submit"
                    className="secondary"
                    aria-label={`Remove ${entry.app.name}`}
                  >
                    Remove
                  </button>
                </form>
              </li>
            ))}
          </ul>
        </>
      )}
    </Layout>
  );
}
