import { type Page, useApi } from "../api/client.ts";
import type { ConsentRequestSummary } from "../api/types.ts";
import { Link } from "../components/link.tsx";
import { Empty, ErrorText, Loading } from "../components/status.tsx";

/** The landing page: what waits for the signed-in administrator. */
export function OverviewPage(props: { base: string }) {
  const pending = useApi<Page<ConsentRequestSummary>>(
    "/api/v1/consentRequests?filter=my_pending&top=5",
  );
  return (
    <>
      <h1>Overview</h1>
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
    </>
  );
}
