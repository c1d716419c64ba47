import { type FormEvent, useId, useState } from "react";
import { usePaged } from "../../api/paged.ts";
import type { ServicePrincipal } from "../../api/types.ts";
import { Link } from "../../components/link.tsx";
import { Empty, ErrorText, Loading } from "../../components/status.tsx";
import { navigate } from "../../router.ts";

const FILTERS = ["search", "applicationType", "accountEnabled", "appRoleAssignmentRequired"];

/**
 * Enterprise applications > All applications: search by name (or exact app id) and filter by
 * type, sign-in and assignment; the filters live in the URL, so a filtered list can be linked.
 */
export function EnterpriseAppsPage(props: { base: string; search: string }) {
  const { base } = props;
  const q = new URLSearchParams(props.search);
  const query = new URLSearchParams();
  for (const key of FILTERS) {
    const value = q.get(key);
    if (value) query.set(key, value);
  }
  query.set("top", "50");
  const list = usePaged<ServicePrincipal>(`/api/v1/servicePrincipals?${query}`);
  const [draft, setDraft] = useState(() =>
    Object.fromEntries(FILTERS.map((k) => [k, q.get(k) ?? ""])),
  );
  const ids = { search: useId(), type: useId(), enabled: useId(), required: useId() };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries(draft)) if (v.trim()) next.set(k, v.trim());
    navigate(`${base}/enterprise-apps${next.size ? `?${next}` : ""}`);
  };
  const set = (key: string) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [key]: e.target.value });
  const yesNo = (id: string, key: string, label: string) => (
    <div>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={draft[key]} onChange={set(key)}>
        <option value="">Any</option>
        <option value="true">Yes</option>
        <option value="false">No</option>
      </select>
    </div>
  );
  return (
    <>
      <h1>Enterprise applications</h1>
      <form className="filters" onSubmit={apply} aria-label="Search and filters">
        <div>
          <label htmlFor={ids.search}>Search by name or app id</label>
          <input id={ids.search} type="search" value={draft.search} onChange={set("search")} />
        </div>
        <div>
          <label htmlFor={ids.type}>Application type</label>
          <select id={ids.type} value={draft.applicationType} onChange={set("applicationType")}>
            <option value="">All</option>
            <option value="own">Registered in this organization</option>
            <option value="external">From other organizations</option>
          </select>
        </div>
        {yesNo(ids.enabled, "accountEnabled", "Enabled for sign-in")}
        {yesNo(ids.required, "appRoleAssignmentRequired", "Assignment required")}
        <div className="actions">
          <button type="submit" className="primary">
            Apply
          </button>
        </div>
      </form>
      <ErrorText error={list.error} />
      {list.loading && !list.items ? <Loading what="applications" /> : null}
      {list.items && list.items.length === 0 ? (
        <Empty>No enterprise applications match.</Empty>
      ) : null}
      {list.items && list.items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Enterprise applications</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">App id</th>
                <th scope="col">Publisher</th>
                <th scope="col">Enabled for sign-in</th>
                <th scope="col">Assignment required</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((sp) => (
                <tr key={sp.id}>
                  <td>
                    <Link to={`${base}/enterprise-apps/${sp.id}`}>{sp.displayName}</Link>
                  </td>
                  <td className="small">{sp.appId}</td>
                  <td>
                    {sp.publisherDisplayName ?? "—"}
                    {sp.publisherVerified ? <span className="muted small"> (verified)</span> : null}
                  </td>
                  <td>{sp.accountEnabled ? "Yes" : "No"}</td>
                  <td>{sp.appRoleAssignmentRequired ? "Yes" : "No"}</td>
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
