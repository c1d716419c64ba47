import { type Page, useApi } from "../api/client.ts";
import type { ConsentRequestSummary, SignIn } from "../api/types.ts";
import { useCan } from "../auth/capabilities.ts";
import { Link } from "../components/link.tsx";
import { Empty, ErrorText, Loading, When } from "../components/status.tsx";

interface TopApps {
  from: string;
  value: Array<{
    appId: string | null;
    appDisplayName: string | null;
    signIns: number;
    failures: number;
  }>;
}

/**
 * The landing page: what waits for the signed-in administrator, and (for those who may read
 * the logs) the latest failed sign-ins and the busiest applications of the week. Each section
 * shows only when the user may read what it summarizes.
 */
export function OverviewPage(props: { base: string }) {
  const can = useCan();
  return (
    <>
      <h1>Overview</h1>
      {can("consentRequests.read") ? <PendingRequests base={props.base} /> : null}
      {can("logs.read") ? (
        <>
          <FailedSignIns base={props.base} />
          <TopApplications base={props.base} />
        </>
      ) : null}
    </>
  );
}

function PendingRequests(props: { base: string }) {
  const pending = useApi<Page<ConsentRequestSummary>>(
    "/api/v1/consentRequests?filter=my_pending&top=5",
  );
  return (
    <section aria-labelledby="pending">
      <h2 id="pending">Requests waiting for you</h2>
      <ErrorText error={pending.error} />
      {pending.loading && !pending.data ? <Loading what="requests" /> : null}
      {pending.data?.value.length === 0 ? <Empty>No requests are waiting for you.</Empty> : null}
      <ul className="plain">
        {pending.data?.value.map((r) => (
          <li key={r.id}>
            <Link to={`${props.base}/consent-requests/${r.id}`}>{r.app.displayName}</Link>{" "}
            <span className="muted">
              ({r.requesterCount} {r.requesterCount === 1 ? "requester" : "requesters"})
            </span>
          </li>
        ))}
      </ul>
      <p>
        <Link to={`${props.base}/consent-requests?filter=all`}>See all requests</Link>
      </p>
    </section>
  );
}

function FailedSignIns(props: { base: string }) {
  const failed = useApi<Page<SignIn>>("/api/v1/auditLogs/signIns?status=failure&top=5");
  const logs = `${props.base}/sign-in-logs`;
  const rows = failed.data?.value ?? [];
  return (
    <section aria-labelledby="failed-sign-ins">
      <h2 id="failed-sign-ins">Recent failed sign-ins</h2>
      <ErrorText error={failed.error} />
      {failed.loading && !failed.data ? <Loading what="failed sign-ins" /> : null}
      {failed.data && rows.length === 0 ? <Empty>No failed sign-ins.</Empty> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">The latest failed sign-ins</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">User</th>
                <th scope="col">Application</th>
                <th scope="col">Error code</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link
                      to={`${logs}?status=failure&requestId=${encodeURIComponent(s.requestId)}`}
                    >
                      <When at={s.createdDateTime} />
                    </Link>
                  </td>
                  <td>{s.userPrincipalName ?? s.servicePrincipalName ?? "—"}</td>
                  <td>{s.appDisplayName ?? s.appId ?? "—"}</td>
                  <td>
                    {s.errorCode}
                    {s.failureReason ? <div className="muted small">{s.failureReason}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p>
        <Link to={`${logs}?status=failure`}>See all failed sign-ins</Link>
      </p>
    </section>
  );
}

function TopApplications(props: { base: string }) {
  const top = useApi<TopApps>("/api/v1/auditLogs/signIns/topApplications?days=7&top=5");
  const rows = top.data?.value ?? [];
  return (
    <section aria-labelledby="top-apps">
      <h2 id="top-apps">Apps with most sign-ins (last 7 days)</h2>
      <ErrorText error={top.error} />
      {top.loading && !top.data ? <Loading what="applications" /> : null}
      {top.data && rows.length === 0 ? <Empty>No sign-ins in the last 7 days.</Empty> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">
              Applications by number of sign-ins in the last 7 days
            </caption>
            <thead>
              <tr>
                <th scope="col">Application</th>
                <th scope="col">Sign-ins</th>
                <th scope="col">Failed</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.appId ?? "none"}>
                  <th scope="row">
                    {a.appId ? (
                      <Link
                        to={`${props.base}/sign-in-logs?from=${encodeURIComponent(top.data?.from ?? "")}&appId=${encodeURIComponent(a.appId)}`}
                      >
                        {a.appDisplayName ?? a.appId}
                      </Link>
                    ) : (
                      "Unknown application"
                    )}
                  </th>
                  <td>{a.signIns}</td>
                  <td>{a.failures}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
