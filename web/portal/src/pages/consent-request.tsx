import { useEffect, useId, useState } from "react";
import { api, useApi } from "../api/client.ts";
import type { Audience, ConsentRequestDetail, Group } from "../api/types.ts";
import { EmailNotice } from "../components/email-notice.tsx";
import { Link } from "../components/link.tsx";
import { ErrorText, Loading, When } from "../components/status.tsx";
import { statusLabel } from "./consent-requests.tsx";
import { ApproveDialog, ReasonDialog } from "./decision-dialogs.tsx";

/**
 * One admin consent request: the app, who asked and why, the permissions with their risk and
 * what is already granted, and Approve / Deny / Block. A disabled action says why (from the
 * API's `viewer` capabilities).
 */
export function ConsentRequestPage(props: { base: string; id: string }) {
  const request = useApi<ConsentRequestDetail>(
    `/api/v1/consentRequests/${encodeURIComponent(props.id)}`,
  );
  const [dialog, setDialog] = useState<"approve" | "deny" | "block">();
  const [announcement, setAnnouncement] = useState("");
  const back = <Link to={`${props.base}/consent-requests?filter=all`}>Back to all requests</Link>;
  if (request.error)
    return (
      <>
        <h1>Admin consent request</h1>
        <EmailNotice />
        <ErrorText error={request.error} />
        <p>{back}</p>
      </>
    );
  const r = request.data;
  if (!r) return <Loading what="the request" />;
  const done = (what: string) => () => {
    setDialog(undefined);
    setAnnouncement(what);
    request.reload();
  };
  return (
    <>
      <p className="crumbs">{back}</p>
      <h1>{r.app.displayName}</h1>
      <EmailNotice />
      <p>
        Status: <span className={`badge ${r.status}`}>{statusLabel(r.status)}</span>
        {r.decidedAt ? (
          <>
            {" "}
            by {r.decidedBy?.displayName ?? "the system"} on <When at={r.decidedAt} />
          </>
        ) : (
          <>
            {" "}
            · expires <When at={r.expiresAt} />
          </>
        )}
      </p>
      <p role="status" className="success">
        {announcement}
      </p>
      {r.reason ? <p>Reason: {r.reason}</p> : null}
      {r.approval ? <ApprovalSummary approval={r.approval} /> : null}
      <Actions request={r} open={setDialog} />

      <section aria-labelledby="app-details">
        <h2 id="app-details">App details</h2>
        <dl className="facts">
          <dt>Name</dt>
          <dd>{r.app.displayName}</dd>
          <dt>Publisher</dt>
          <dd>
            {r.app.publisherName ?? "Unknown"}{" "}
            {r.app.publisherVerified ? (
              <span className="badge approved">Verified</span>
            ) : (
              <span className="badge denied">Unverified</span>
            )}
          </dd>
          <dt>Application (client) id</dt>
          <dd>
            <code>{r.app.appId}</code>
          </dd>
          <dt>Home page</dt>
          <dd>{r.app.homepageUrl ?? "—"}</dd>
        </dl>
      </section>

      <section aria-labelledby="requested-by">
        <h2 id="requested-by">Requested by ({r.requesters.length})</h2>
        <ul className="cards">
          {r.requesters.map((q) => (
            <li key={q.userId}>
              <strong>{q.displayName}</strong> <span className="muted">{q.userPrincipalName}</span>
              <div className="small muted">
                Asked <When at={q.requestedAt} />
                {q.withdrawnAt ? " · withdrawn" : ""}
              </div>
              <blockquote>{q.justification || "No reason given."}</blockquote>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="permissions">
        <h2 id="permissions">Permissions</h2>
        {r.scopeDiff.map((d) => (
          <div className="table-wrap" key={d.resourceAppId}>
            <table>
              <caption>{d.resourceDisplayName}</caption>
              <thead>
                <tr>
                  <th scope="col">Permission</th>
                  <th scope="col">Description</th>
                  <th scope="col">Risk</th>
                  <th scope="col">Today</th>
                </tr>
              </thead>
              <tbody>
                {d.requested.map((s) => (
                  <tr key={s.value}>
                    <th scope="row">{s.value}</th>
                    <td>{s.displayName}</td>
                    <td>
                      <Risk scope={s} />
                    </td>
                    <td>
                      {d.alreadyGranted.includes(s.value) ? "Already granted to everyone" : "New"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </section>

      {dialog === "approve" ? (
        <ApproveDialog
          request={r}
          onClose={() => setDialog(undefined)}
          onDone={done("Approved.")}
        />
      ) : null}
      {dialog === "deny" || dialog === "block" ? (
        <ReasonDialog
          kind={dialog}
          request={r}
          onClose={() => setDialog(undefined)}
          onDone={done(dialog === "deny" ? "Denied." : "Blocked.")}
        />
      ) : null}
    </>
  );
}

function Actions(props: {
  request: ConsentRequestDetail;
  open(d: "approve" | "deny" | "block"): void;
}) {
  const { viewer, status } = props.request;
  const whyId = useId();
  if (status !== "pending") return null;
  const reasons: string[] = [];
  if (!viewer.canApprove && viewer.cannotApproveReason) reasons.push(viewer.cannotApproveReason);
  if (!viewer.isReviewer)
    reasons.push(
      "You are not a reviewer of admin consent requests, so you can only look at this request.",
    );
  return (
    <div className="actions">
      <button
        type="button"
        className="primary"
        disabled={!viewer.canApprove}
        aria-describedby={reasons.length ? whyId : undefined}
        onClick={() => props.open("approve")}
      >
        Approve
      </button>
      <button
        type="button"
        disabled={!viewer.canDeny}
        aria-describedby={reasons.length ? whyId : undefined}
        onClick={() => props.open("deny")}
      >
        Deny
      </button>
      <button
        type="button"
        className="danger"
        disabled={!viewer.canBlock}
        aria-describedby={reasons.length ? whyId : undefined}
        onClick={() => props.open("block")}
      >
        Block
      </button>
      {reasons.length ? (
        <p id={whyId} className="muted">
          {reasons.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A requested permission's risk: admin-only permissions are high; otherwise the tenant's
 * permission classification (Consent and permissions) decides, and unclassified ones say so.
 */
function Risk(props: { scope: ConsentRequestDetail["scopeDiff"][number]["requested"][number] }) {
  const { adminConsentRequired, classification } = props.scope;
  if (adminConsentRequired) return <span className="badge denied">High: admin only</span>;
  if (classification === "high") return <span className="badge denied">High (classified)</span>;
  if (classification === "medium") return <span className="badge">Medium (classified)</span>;
  if (classification === "low") return <span className="badge approved">Low impact</span>;
  return <span className="badge">Standard (not classified)</span>;
}

function ApprovalSummary(props: { approval: NonNullable<ConsentRequestDetail["approval"]> }) {
  const { approval } = props;
  const names = useGroupNames(approval.audience.type === "groups" ? approval.audience.ids : []);
  const audience = (a: Audience) => {
    if (a.type === "everyone") return "everyone in the organization";
    if (a.type === "users")
      return `${a.ids.length} selected ${a.ids.length === 1 ? "user" : "users"}`;
    // Until the names arrive (or when groups may not be read), count the groups rather than
    // show raw ids.
    if (!names) return `members of ${a.ids.length} ${a.ids.length === 1 ? "group" : "groups"}`;
    return `members of ${a.ids.map((id) => names.get(id) ?? id).join(", ")}`;
  };
  return (
    <p className="approval">
      Granted {approval.scopes.flatMap((s) => s.scopes).join(", ")} to {audience(approval.audience)}
      {approval.until ? (
        <>
          {" "}
          until <When at={approval.until} />
        </>
      ) : (
        " with no end date"
      )}
      .
    </p>
  );
}

/**
 * The display names of groups, each read by id (an approval may name any group, not only the
 * first page of them); undefined until all have answered or when one cannot be read.
 */
function useGroupNames(ids: readonly string[]): Map<string, string> | undefined {
  const [names, setNames] = useState<Map<string, string>>();
  const key = ids.join(",");
  useEffect(() => {
    if (!key) return;
    let live = true;
    Promise.all(
      key
        .split(",")
        .map((id) =>
          api<Group>("GET", `/api/v1/groups/${encodeURIComponent(id)}`).then(
            (g) => [id, g.displayName] as const,
          ),
        ),
    ).then(
      (pairs) => live && setNames(new Map(pairs)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [key]);
  return names;
}
