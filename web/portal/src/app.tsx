import { useEffect, useRef } from "react";
import type { Session } from "./auth/session.ts";
import { signOut } from "./auth/session.ts";
import { Link } from "./components/link.tsx";
import { EnterpriseAppPage } from "./pages/apps/enterprise-app.tsx";
import { EnterpriseAppsPage } from "./pages/apps/enterprise-apps.tsx";
import { ConsentRequestPage } from "./pages/consent-request.tsx";
import { ConsentRequestsPage } from "./pages/consent-requests.tsx";
import { ConsentSettingsPage } from "./pages/consent-settings.tsx";
import { GroupPage, GroupsPage } from "./pages/directory/groups.tsx";
import { UserPage, UsersPage } from "./pages/directory/users.tsx";
import { AuditLogsPage } from "./pages/monitoring/audit-logs.tsx";
import { SignInLogsPage } from "./pages/monitoring/sign-in-logs.tsx";
import { OverviewPage } from "./pages/overview.tsx";
import {
  AppRegistrationPage,
  AppRegistrationsPage,
} from "./pages/registrations/app-registrations.tsx";
import { routeOf, useLocation } from "./router.ts";

/** The signed-in portal: header, navigation, and the page the URL names. */
export function App(props: { session: Session }) {
  const { session } = props;
  const { pathname, search } = useLocation();
  const base = `/${encodeURIComponent(session.tenant)}/portal`;
  const route = routeOf(pathname.slice(base.length), search);
  const main = useRef<HTMLElement>(null);
  // A new page: focus its main region, as a full page load would put the reader at the top.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation
  useEffect(() => {
    main.current?.focus();
    const h1 = main.current?.querySelector("h1")?.textContent;
    document.title = h1 ? `${h1} · Assent admin portal` : "Assent admin portal";
  }, [pathname, search]);
  const section =
    route.page === "consent-request"
      ? "consent-requests"
      : route.page === "enterprise-app"
        ? "enterprise-apps"
        : route.page === "user"
          ? "users"
          : route.page === "group"
            ? "groups"
            : route.page === "app-registration"
              ? "app-registrations"
              : route.page;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Assent admin portal</span>
        <span className="who">
          {session.userName || session.userPrincipalName}
          <button type="button" className="link" onClick={() => signOut(session.tenant)}>
            Sign out
          </button>
        </span>
      </header>
      <div className="layout">
        <nav className="side" aria-label="Portal">
          <ul>
            <li>
              <Link to={base} current={section === "overview"}>
                Overview
              </Link>
            </li>
            <li className="group">Enterprise applications</li>
            <li>
              <Link to={`${base}/enterprise-apps`} current={section === "enterprise-apps"}>
                All applications
              </Link>
            </li>
            <li>
              <Link to={`${base}/consent-requests`} current={section === "consent-requests"}>
                Admin consent requests
              </Link>
            </li>
            <li>
              <Link to={`${base}/consent-settings`} current={section === "consent-settings"}>
                Consent and permissions
              </Link>
            </li>
            <li>
              <Link to={`${base}/app-registrations`} current={section === "app-registrations"}>
                App registrations
              </Link>
            </li>
            <li className="group">Directory</li>
            <li>
              <Link to={`${base}/users`} current={section === "users"}>
                Users
              </Link>
            </li>
            <li>
              <Link to={`${base}/groups`} current={section === "groups"}>
                Groups
              </Link>
            </li>
            <li className="group">Monitoring</li>
            <li>
              <Link to={`${base}/sign-in-logs`} current={section === "sign-in-logs"}>
                Sign-in logs
              </Link>
            </li>
            <li>
              <Link to={`${base}/audit-logs`} current={section === "audit-logs"}>
                Audit logs
              </Link>
            </li>
          </ul>
        </nav>
        <main id="main" ref={main} tabIndex={-1}>
          {route.page === "overview" ? <OverviewPage base={base} /> : null}
          {route.page === "consent-requests" ? (
            <ConsentRequestsPage base={base} filter={route.filter} sort={route.sort} />
          ) : null}
          {route.page === "consent-request" ? (
            <ConsentRequestPage base={base} id={route.id} />
          ) : null}
          {route.page === "consent-settings" ? <ConsentSettingsPage /> : null}
          {route.page === "enterprise-apps" ? (
            <EnterpriseAppsPage key={search} base={base} search={route.search} />
          ) : null}
          {route.page === "enterprise-app" ? (
            <EnterpriseAppPage base={base} id={route.id} tab={route.tab} />
          ) : null}
          {route.page === "sign-in-logs" ? (
            <SignInLogsPage key={search} base={base} search={search} />
          ) : null}
          {route.page === "audit-logs" ? (
            <AuditLogsPage key={search} base={base} search={search} />
          ) : null}
          {route.page === "users" ? (
            <UsersPage key={search} base={base} search={route.search} />
          ) : null}
          {route.page === "user" ? <UserPage base={base} id={route.id} /> : null}
          {route.page === "groups" ? (
            <GroupsPage key={search} base={base} search={route.search} />
          ) : null}
          {route.page === "group" ? <GroupPage base={base} id={route.id} /> : null}
          {route.page === "app-registrations" ? (
            <AppRegistrationsPage key={search} base={base} search={route.search} />
          ) : null}
          {route.page === "app-registration" ? (
            <AppRegistrationPage base={base} id={route.id} />
          ) : null}
          {route.page === "not-found" ? (
            <>
              <h1>Page not found</h1>
              <p>
                There is no such page in the portal. <Link to={base}>Go to the overview</Link>.
              </p>
            </>
          ) : null}
        </main>
      </div>
    </>
  );
}
