import { type FormEvent, useId, useState } from "react";
import { type Page, useApi } from "../../api/client.ts";
import { usePaged } from "../../api/paged.ts";
import type { ServicePrincipal, SignIn } from "../../api/types.ts";
import { Empty, ErrorText, Loading, When } from "../../components/status.tsx";
import { navigate } from "../../router.ts";
import { ExportButtons } from "./export-buttons.tsx";
import { filterQuery, isoOf, localInput } from "./log-filters.ts";
import { SignInDetails } from "./sign-in-details.tsx";

const FILTERS = ["from", "to", "user", "appId", "status", "errorCode", "requestId"];
const STATUS: Record<string, string> = {
  success: "Success",
  failure: "Failure",
  interrupted: "Interrupted",
};

export function signInStatusLabel(status: string): string {
  return STATUS[status] ?? status;
}

/**
 * Monitoring > Sign-in logs: filters (time window, user, app, status, error code, request id)
 * kept in the URL, newest first, "Load more" through @odata.nextLink, a details panel with the
 * troubleshooting fields, and the same filters exported as CSV or JSON Lines.
 */
export function SignInLogsPage(props: {
  base: string;
  search: string;
  /**
   * Filters that always apply and are not offered (an enterprise app's tab fixes appId);
   * with `path`, where the filters navigate to, and the title becomes a section heading.
   */
  fixed?: Record<string, string>;
  path?: string;
}) {
  const fixed = props.fixed ?? {};
  const shown = (key: string) => !(key in fixed);
  const q = new URLSearchParams(props.search);
  const applied = Object.fromEntries(FILTERS.map((k) => [k, fixed[k] ?? q.get(k) ?? ""]));
  const query = filterQuery(applied, FILTERS);
  const list = usePaged<SignIn>(`/api/v1/auditLogs/signIns?${query}&top=50`);
  const apps = useApi<Page<ServicePrincipal>>("/api/v1/servicePrincipals?top=100");
  const [draft, setDraft] = useState<Record<string, string>>(() => ({
    ...applied,
    from: localInput(applied.from ?? null),
    to: localInput(applied.to ?? null),
  }));
  const [selected, setSelected] = useState<SignIn>();
  const id = useId();
  const apply = (e: FormEvent) => {
    e.preventDefault();
    // A code copied from an error page ("AST50126: …") filters by its number.
    const errorCode = (draft.errorCode ?? "").trim().replace(/^AST(\d+):?$/i, "$1");
    const next = filterQuery(
      { ...draft, errorCode, from: isoOf(draft.from ?? ""), to: isoOf(draft.to ?? "", true) },
      FILTERS.filter(shown),
    );
    setSelected(undefined);
    const to = `${props.path ?? `${props.base}/sign-in-logs`}${next.size ? `?${next}` : ""}`;
    if (to === location.pathname + location.search) list.reload();
    else navigate(to);
  };
  const field = (key: string, label: string, type = "text") => (
    <div>
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        type={type}
        value={draft[key] ?? ""}
        list={key === "appId" ? `${id}-apps` : undefined}
        onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
      />
    </div>
  );
  return (
    <>
      {props.path ? <h2>Sign-in logs</h2> : <h1>Sign-in logs</h1>}
      <form className="filters" onSubmit={apply} aria-label="Filters">
        {field("from", "From", "datetime-local")}
        {field("to", "To", "datetime-local")}
        {field("user", "User (start of the user name)")}
        {shown("appId") ? field("appId", "Application id") : null}
        <datalist id={`${id}-apps`}>
          {apps.data?.value.map((a) => (
            <option key={a.id} value={a.appId}>
              {a.displayName}
            </option>
          ))}
        </datalist>
        <div>
          <label htmlFor={`${id}-status`}>Status</label>
          <select
            id={`${id}-status`}
            value={draft.status ?? ""}
            onChange={(e) => setDraft({ ...draft, status: e.target.value })}
          >
            <option value="">Any</option>
            {Object.entries(STATUS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        {field("errorCode", "Error code (number)")}
        {field("requestId", "Request id")}
        <div className="actions">
          <button type="submit" className="primary">
            Apply
          </button>
        </div>
      </form>
      <ExportButtons collection="signIns" query={query} name="sign-ins" />
      {selected ? <SignInDetails event={selected} onClose={() => setSelected(undefined)} /> : null}
      <ErrorText error={list.error} />
      {list.loading && !list.items ? <Loading what="sign-ins" /> : null}
      {list.items?.length === 0 ? <Empty>No sign-ins match these filters.</Empty> : null}
      {list.items && list.items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Sign-ins, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">User</th>
                <th scope="col">Application</th>
                <th scope="col">Status</th>
                <th scope="col">Error code</th>
                <th scope="col">IP address</th>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((s) => (
                <tr key={s.id} className={selected?.id === s.id ? "selected" : undefined}>
                  <td>
                    <When at={s.createdDateTime} />
                  </td>
                  <td>{s.userPrincipalName ?? s.servicePrincipalName ?? "—"}</td>
                  <td>{s.appDisplayName ?? s.appId ?? "—"}</td>
                  <td>
                    <span className={`badge ${s.status}`}>{signInStatusLabel(s.status)}</span>
                  </td>
                  <td>{s.errorCode || "—"}</td>
                  <td>{s.ipAddress ?? "—"}</td>
                  <td>
                    <button
                      type="button"
                      className="link"
                      aria-label={`Details of the sign-in at ${s.createdDateTime}`}
                      onClick={() => setSelected(s)}
                    >
                      Details
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.hasMore ? (
        <button type="button" onClick={list.loadMore} disabled={list.loading}>
          {list.loading ? "Loading…" : "Load more"}
        </button>
      ) : null}
    </>
  );
}
