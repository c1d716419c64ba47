import { useEffect, useRef } from "react";
import { type Capability, loadMe, useCan, useMe } from "./auth/capabilities.ts";
import type { Session } from "./auth/session.ts";
import { signOut } from "./auth/session.ts";
import { Link } from "./components/link.tsx";
import { NoAccess } from "./components/no-access.tsx";
import { ErrorText, Loading } from "./components/status.tsx";
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
import { WebhooksPage } from "./pages/webhooks/webhooks.tsx";
import { type Route, routeOf, useLocation } from "./router.ts";

/** What a page needs to be readable; the nav hides, and deep links explain, the rest. */
const PAGE_NEEDS: Partial<Record<Route["page"], [Capability, string]>> = {
  "consent-requests": ["consentRequests.read", "Admin consent requests"],
  "consent-request": ["consentRequests.read", "An admin consent request"],
  "consent-settings": ["policies.read", "Consent and permissions"],
  "enterprise-apps": ["directory.read", "Enterprise applications"],
  "enterprise-app": ["directory.read", "An enterprise application"],
  "sign-in-logs": ["logs.read", "Sign-in logs"],
  "audit-logs": ["logs.read", "Audit logs"],
  users: ["directory.read", "Users"],
  user: ["directory.read", "A user"],
  groups: ["directory.read", "Groups"],
  group: ["directory.read", "A group"],
  "app-registrations": ["directory.read", "App registrations"],
  "app-registration": ["directory.read", "An app registration"],
  webhooks: ["webhooks.read", "Webhooks"],
};

/** The signed-in portal: header, navigation, and the page the URL names. */
export function App(props: { session: Session }) {
  const { session } = props;
  const { pathname, search } = useLocation();
  const base = `/${encodeURIComponent(session.tenant)}/portal`;
  const route = routeOf(pathname.slice(base.length), search);
  const main = useRef<HTMLElement>(null);
  const me = useMe();
  const can = useCan();
  useEffect(() => {
    void loadMe();
  }, []);
  const needs = PAGE_NEEDS[route.page];
  const allowed = !needs || can(needs[0]);
  /** A nav entry, shown only when its page is readable. */
  const entry = (page: Route["page"], to: string, label: string, current: boolean) => {
    const need = PAGE_NEEDS[page];
    if (need && !can(need[0])) return null;
    return (
      <li>
        <Link to={to} current={current}>
          {label}
        </Link>
      </li>
    );
  };
  const canSeeApps = can("directory.read") || can("consentRequests.read") || can("policies.read");
  // A new page: focus its main region, as a full page load would put the reader at the top.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation
  useEffect(() => {
    main.current?.focus();
    const h1 = main.current?.querySelector("h1")?.textContent;
    document.title = h1 ? `${h1} · Assent admin portal` : "Assent admin portal";
  }, [pathname, search, me.me]);
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
            {me.me && canSeeApps ? <li className="group">Enterprise applications</li> : null}
            {entry(
              "enterprise-apps",
              `${base}/enterprise-apps`,
              "All applications",
              section === "enterprise-apps",
            )}
            {entry(
              "consent-requests",
              `${base}/consent-requests`,
              "Admin consent requests",
              section === "consent-requests",
            )}
            {entry(
              "consent-settings",
              `${base}/consent-settings`,
              "Consent and permissions",
              section === "consent-settings",
            )}
            {entry(
              "app-registrations",
              `${base}/app-registrations`,
              "App registrations",
              section === "app-registrations",
            )}
            {me.me && can("directory.read") ? <li className="group">Directory</li> : null}
            {entry("users", `${base}/users`, "Users", section === "users")}
            {entry("groups", `${base}/groups`, "Groups", section === "groups")}
            {me.me && (can("logs.read") || can("webhooks.read")) ? (
              <li className="group">Monitoring</li>
            ) : null}
            {entry(
              "sign-in-logs",
              `${base}/sign-in-logs`,
              "Sign-in logs",
              section === "sign-in-logs",
            )}
            {entry("audit-logs", `${base}/audit-logs`, "Audit logs", section === "audit-logs")}
            {entry("webhooks", `${base}/webhooks`, "Webhooks", section === "webhooks")}
          </ul>
        </nav>
        <main id="main" ref={main} tabIndex={-1}>
          {me.loading || (!me.me && !me.error) ? <Loading what="your access" /> : null}
          {me.error ? (
            <>
              <h1>Your access could not be read</h1>
              <ErrorText error={me.error} />
              <button type="button" className="primary" onClick={() => void loadMe()}>
                Try again
              </button>
            </>
          ) : null}
          {me.me && !allowed && needs ? <NoAccess base={base} page={needs[1]} /> : null}
          {me.me && allowed ? <Page route={route} base={base} search={search} /> : null}
        </main>
      </div>
    </>
  );
}

/** The page the route names. */
function Page(props: { route: Route; base: string; search: string }) {
  const { route, base, search } = props;
  return (
    <>
      {route.page === "overview" ? <OverviewPage base={base} /> : null}
      {route.page === "consent-requests" ? (
        <ConsentRequestsPage base={base} filter={route.filter} sort={route.sort} />
      ) : null}
      {route.page === "consent-request" ? <ConsentRequestPage base={base} id={route.id} /> : null}
      {route.page === "consent-settings" ? <ConsentSettingsPage /> : null}
      {route.page === "enterprise-apps" ? (
        <EnterpriseAppsPage key={search} base={base} search={route.search} />
      ) : null}
      {route.page === "enterprise-app" ? (
        <EnterpriseAppPage base={base} id={route.id} tab={route.tab} search={search} />
      ) : null}
      {route.page === "sign-in-logs" ? (
        <SignInLogsPage key={search} base={base} search={search} />
      ) : null}
      {route.page === "audit-logs" ? (
        <AuditLogsPage key={search} base={base} search={search} />
      ) : null}
      {route.page === "users" ? <UsersPage key={search} base={base} search={route.search} /> : null}
      {route.page === "user" ? <UserPage base={base} id={route.id} /> : null}
      {route.page === "groups" ? (
        <GroupsPage key={search} base={base} search={route.search} />
      ) : null}
      {route.page === "group" ? <GroupPage base={base} id={route.id} /> : null}
      {route.page === "app-registrations" ? (
        <AppRegistrationsPage key={search} base={base} search={route.search} />
      ) : null}
      {route.page === "app-registration" ? <AppRegistrationPage base={base} id={route.id} /> : null}
      {route.page === "webhooks" ? <WebhooksPage base={base} /> : null}
      {route.page === "not-found" ? (
        <>
          <h1>Page not found</h1>
          <p>
            There is no such page in the portal. <Link to={base}>Go to the overview</Link>.
          </p>
        </>
      ) : null}
    </>
  );
}
