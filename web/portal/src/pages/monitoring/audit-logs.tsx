import { type FormEvent, useId, useState } from "react";
import { usePaged } from "../../api/paged.ts";
import type { DirectoryAudit } from "../../api/types.ts";
import { Empty, ErrorText, Loading, When } from "../../components/status.tsx";
import { navigate } from "../../router.ts";
import { AuditDetails, actorName } from "./audit-details.tsx";
import { ExportButtons } from "./export-buttons.tsx";
import { filterQuery, isoOf, localInput } from "./log-filters.ts";

const FILTERS = ["from", "to", "activity", "category", "result", "actor", "targetId"];

/**
 * Monitoring > Audit logs: filters (time window, activity, category, result, initiated by,
 * target) kept in the URL, newest first, "Load more" through @odata.nextLink, a details panel
 * with the modified properties, and the same filters exported as CSV or JSON Lines.
 */
export function AuditLogsPage(props: {
  base: string;
  search: string;
  /**
   * Filters that always apply and are not offered (an enterprise app's tab fixes targetId);
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
  const list = usePaged<DirectoryAudit>(`/api/v1/auditLogs/directoryAudits?${query}&top=50`);
  const [draft, setDraft] = useState<Record<string, string>>(() => ({
    ...applied,
    from: localInput(applied.from ?? null),
    to: localInput(applied.to ?? null),
  }));
  const [selected, setSelected] = useState<DirectoryAudit>();
  const id = useId();
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const next = filterQuery(
      { ...draft, from: isoOf(draft.from ?? ""), to: isoOf(draft.to ?? "", true) },
      FILTERS.filter(shown),
    );
    setSelected(undefined);
    const to = `${props.path ?? `${props.base}/audit-logs`}${next.size ? `?${next}` : ""}`;
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
        onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
      />
    </div>
  );
  return (
    <>
      {props.path ? <h2>Audit logs</h2> : <h1>Audit logs</h1>}
      <form className="filters" onSubmit={apply} aria-label="Filters">
        {field("from", "From", "datetime-local")}
        {field("to", "To", "datetime-local")}
        {field("activity", "Activity (e.g. Add user)")}
        {field("category", "Category (e.g. UserManagement)")}
        <div>
          <label htmlFor={`${id}-result`}>Result</label>
          <select
            id={`${id}-result`}
            value={draft.result ?? ""}
            onChange={(e) => setDraft({ ...draft, result: e.target.value })}
          >
            <option value="">Any</option>
            <option value="success">Success</option>
            <option value="failure">Failure</option>
          </select>
        </div>
        {field("actor", "Initiated by (user name or id)")}
        {shown("targetId") ? field("targetId", "Target id") : null}
        <div className="actions">
          <button type="submit" className="primary">
            Apply
          </button>
        </div>
      </form>
      <ExportButtons collection="directoryAudits" query={query} name="audit" />
      {selected ? <AuditDetails event={selected} onClose={() => setSelected(undefined)} /> : null}
      <ErrorText error={list.error} />
      {list.loading && !list.items ? <Loading what="audit events" /> : null}
      {list.items?.length === 0 ? <Empty>No audit events match these filters.</Empty> : null}
      {list.items && list.items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Activity</th>
                <th scope="col">Category</th>
                <th scope="col">Result</th>
                <th scope="col">Initiated by</th>
                <th scope="col">Targets</th>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((a) => (
                <tr key={a.id} className={selected?.id === a.id ? "selected" : undefined}>
                  <td>
                    <When at={a.activityDateTime} />
                  </td>
                  <td>{a.activityDisplayName}</td>
                  <td>{a.category}</td>
                  <td>{a.result}</td>
                  <td>{actorName(a.initiatedBy)}</td>
                  <td>{a.targetResources.map((t) => t.displayName ?? t.id).join(", ") || "—"}</td>
                  <td>
                    <button
                      type="button"
                      className="link"
                      aria-label={`Details of ${a.activityDisplayName} at ${a.activityDateTime}`}
                      onClick={() => setSelected(a)}
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
