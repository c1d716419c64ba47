import type { Page } from "../api/client.ts";
import { useApi } from "../api/client.ts";
import type { ConsentRequestSummary } from "../api/types.ts";
import { EmailNotice } from "../components/email-notice.tsx";
import { Link } from "../components/link.tsx";
import { age, Empty, ErrorText, Loading, When } from "../components/status.tsx";
import { navigate } from "../router.ts";

const STATUS: Record<string, string> = {
  pending: "Pending",
  approved: "Approved",
  denied: "Denied",
  blocked: "Blocked",
  expired: "Expired",
  withdrawn: "Withdrawn",
};

export function statusLabel(status: string): string {
  return STATUS[status] ?? status;
}

/**
 * Enterprise applications > Admin consent requests: "My pending" (what you may decide now)
 * and "All", sortable by number of requesters and by age.
 */
export function ConsentRequestsPage(props: {
  base: string;
  filter: "my_pending" | "all";
  sort: string;
}) {
  const { base, filter, sort } = props;
  const list = useApi<Page<ConsentRequestSummary>>(
    `/api/v1/consentRequests?filter=${filter}&sort=${encodeURIComponent(sort)}&top=100`,
  );
  const href = (f: string, s: string) => `${base}/consent-requests?filter=${f}&sort=${s}`;
  const sortBy = (s: string) => navigate(href(filter, s));
  const ageSort =
    sort === "created_asc" ? "ascending" : sort === "created_desc" ? "descending" : "none";
  return (
    <>
      <h1>Admin consent requests</h1>
      <EmailNotice />
      <nav className="tabs" aria-label="Which requests">
        <Link to={href("my_pending", sort)} current={filter === "my_pending"}>
          My pending
        </Link>
        <Link to={href("all", sort)} current={filter === "all"}>
          All
        </Link>
      </nav>
      <ErrorText error={list.error} />
      {list.loading && !list.data ? <Loading what="requests" /> : null}
      {list.data && list.data.value.length === 0 ? (
        <Empty>
          {filter === "my_pending"
            ? "No requests are waiting for you."
            : "No one has asked for approval yet."}
        </Empty>
      ) : null}
      {list.data && list.data.value.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">
              {filter === "my_pending" ? "Requests waiting for you" : "All requests"}
            </caption>
            <thead>
              <tr>
                <th scope="col">Application</th>
                <th scope="col">Status</th>
                <th scope="col" aria-sort={sort === "requesters_desc" ? "descending" : "none"}>
                  <button type="button" className="sort" onClick={() => sortBy("requesters_desc")}>
                    Requested by
                  </button>
                </th>
                <th scope="col" aria-sort={ageSort}>
                  <button
                    type="button"
                    className="sort"
                    onClick={() => sortBy(sort === "created_desc" ? "created_asc" : "created_desc")}
                  >
                    Created
                  </button>
                </th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {list.data.value.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`${base}/consent-requests/${r.id}`}>{r.app.displayName}</Link>
                    <div className="muted small">{r.app.publisherName ?? "Unknown publisher"}</div>
                  </td>
                  <td>
                    <span className={`badge ${r.status}`}>{statusLabel(r.status)}</span>
                  </td>
                  <td>
                    {r.requesterCount} {r.requesterCount === 1 ? "user" : "users"}
                  </td>
                  <td>
                    <When at={r.createdAt} />{" "}
                    <span className="muted small">({age(r.createdAt)} ago)</span>
                  </td>
                  <td>
                    <When at={r.expiresAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
