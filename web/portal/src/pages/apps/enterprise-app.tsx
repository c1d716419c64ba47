import { useApi } from "../../api/client.ts";
import type { ServicePrincipal } from "../../api/types.ts";
import { useCan, useRolesFor } from "../../auth/capabilities.ts";
import { Link } from "../../components/link.tsx";
import { ErrorText, Loading } from "../../components/status.tsx";
import type { AppTab } from "../../router.ts";
import { AuditLogsPage } from "../monitoring/audit-logs.tsx";
import { SignInLogsPage } from "../monitoring/sign-in-logs.tsx";
import { AppAssignments } from "./app-assignments.tsx";
import { AppPermissions } from "./app-permissions.tsx";
import { AppProperties } from "./app-properties.tsx";

const TABS: Array<[AppTab, string]> = [
  ["properties", "Properties"],
  ["users", "Users and groups"],
  ["permissions", "Permissions"],
  ["sign-in-logs", "Sign-ins"],
  ["audit-logs", "Audit events"],
];

/**
 * One enterprise application: Properties, Users and groups, Permissions, and its Sign-in and
 * Audit logs (the monitoring pages with the app fixed as a filter), each a URL.
 */
export function EnterpriseAppPage(props: {
  base: string;
  id: string;
  tab: AppTab;
  /** The URL's query: the log tabs' filters. */
  search?: string;
}) {
  const { base, id, tab } = props;
  const search = props.search ?? "";
  const can = useCan();
  const rolesFor = useRolesFor();
  const isLog = (t: AppTab) => t === "sign-in-logs" || t === "audit-logs";
  const tabs = TABS.filter(([key]) => !isLog(key) || can("logs.read"));
  const sp = useApi<ServicePrincipal>(`/api/v1/servicePrincipals/${encodeURIComponent(id)}`);
  const here = `${base}/enterprise-apps/${encodeURIComponent(id)}`;
  return (
    <>
      <p className="crumbs">
        <Link to={`${base}/enterprise-apps`}>Enterprise applications</Link>
      </p>
      <ErrorText error={sp.error} />
      {sp.loading && !sp.data ? <Loading what="the application" /> : null}
      {sp.data ? (
        <>
          <h1>{sp.data.displayName}</h1>
          <dl className="facts">
            <dt>Application id</dt>
            <dd>{sp.data.appId}</dd>
            <dt>Object id</dt>
            <dd>{sp.data.id}</dd>
            <dt>Publisher</dt>
            <dd>
              {sp.data.publisherDisplayName ?? "—"}
              {sp.data.publisherVerified ? " (verified)" : ""}
            </dd>
          </dl>
          <nav className="tabs" aria-label="Application sections">
            {tabs.map(([key, label]) => (
              <Link key={key} to={`${here}/${key}`} current={tab === key}>
                {label}
              </Link>
            ))}
          </nav>
          {tab === "properties" ? <AppProperties sp={sp.data} onSaved={sp.reload} /> : null}
          {tab === "users" ? <AppAssignments sp={sp.data} /> : null}
          {tab === "permissions" ? <AppPermissions sp={sp.data} /> : null}
          {isLog(tab) && !can("logs.read") ? (
            <p role="alert">
              You don't have access to the logs: reading them needs the role{" "}
              {rolesFor("logs.read") ?? "of a log reader"}.
            </p>
          ) : null}
          {tab === "sign-in-logs" && can("logs.read") ? (
            <SignInLogsPage
              key={search}
              base={base}
              search={search}
              fixed={{ appId: sp.data.appId }}
              path={`${here}/sign-in-logs`}
            />
          ) : null}
          {tab === "audit-logs" && can("logs.read") ? (
            <AuditLogsPage
              key={search}
              base={base}
              search={search}
              fixed={{ targetId: sp.data.id }}
              path={`${here}/audit-logs`}
            />
          ) : null}
        </>
      ) : null}
    </>
  );
}
