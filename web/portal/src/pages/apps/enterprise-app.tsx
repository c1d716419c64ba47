import { useApi } from "../../api/client.ts";
import type { ServicePrincipal } from "../../api/types.ts";
import { Link } from "../../components/link.tsx";
import { ErrorText, Loading } from "../../components/status.tsx";
import type { AppTab } from "../../router.ts";
import { AppAssignments } from "./app-assignments.tsx";
import { AppPermissions } from "./app-permissions.tsx";
import { AppProperties } from "./app-properties.tsx";

const TABS: Array<[AppTab, string]> = [
  ["properties", "Properties"],
  ["users", "Users and groups"],
  ["permissions", "Permissions"],
];

/** One enterprise application: Properties, Users and groups, Permissions (each a URL). */
export function EnterpriseAppPage(props: { base: string; id: string; tab: AppTab }) {
  const { base, id, tab } = props;
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
            {TABS.map(([key, label]) => (
              <Link key={key} to={`${here}/${key}`} current={tab === key}>
                {label}
              </Link>
            ))}
          </nav>
          {tab === "properties" ? <AppProperties sp={sp.data} onSaved={sp.reload} /> : null}
          {tab === "users" ? <AppAssignments sp={sp.data} /> : null}
          {tab === "permissions" ? <AppPermissions sp={sp.data} /> : null}
        </>
      ) : null}
    </>
  );
}
