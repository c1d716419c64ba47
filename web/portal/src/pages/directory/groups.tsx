import { type FormEvent, useId, useState } from "react";
import { api, asApiError, type PortalApiError } from "../../api/client.ts";
import { formErrors } from "../../api/form-errors.ts";
import { usePaged } from "../../api/paged.ts";
import { useCan } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { Link } from "../../components/link.tsx";
import { describe, Empty, ErrorText, FieldError, Loading, When } from "../../components/status.tsx";
import { navigate } from "../../router.ts";
import type { DirectoryGroup } from "./types.ts";
import "./pages.css";

export { GroupPage } from "./group.tsx";

/** Directory > Groups: the tenant's groups by name, searched by the start of a name. */
export function GroupsPage(props: { base: string; search: string }) {
  const { base } = props;
  const can = useCan();
  const search = new URLSearchParams(props.search).get("search") ?? "";
  const query = new URLSearchParams({ top: "50" });
  if (search) query.set("search", search);
  const list = usePaged<DirectoryGroup>(`/api/v1/groups?${query}`);
  const [draft, setDraft] = useState(search);
  const [creating, setCreating] = useState(false);
  const id = useId();
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const q = draft.trim();
    navigate(`${base}/groups${q ? `?${new URLSearchParams({ search: q })}` : ""}`);
  };
  return (
    <>
      <h1>Groups</h1>
      {can("directory.write") ? (
        <div className="actions">
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New group
          </button>
        </div>
      ) : null}
      <form className="filters" onSubmit={apply} aria-label="Search groups">
        <div>
          <label htmlFor={`${id}-search`}>Search by name</label>
          <input
            id={`${id}-search`}
            type="search"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
        </div>
        <div className="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      <ErrorText error={list.error} />
      {list.loading && !list.items ? <Loading what="groups" /> : null}
      {list.items?.length === 0 ? (
        <Empty>{search ? `No groups match "${search}".` : "There are no groups yet."}</Empty>
      ) : null}
      {list.items && list.items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Groups</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((g) => (
                <tr key={g.id}>
                  <td>
                    <Link to={`${base}/groups/${g.id}`}>{g.displayName}</Link>
                  </td>
                  <td className="wrap">{g.description ?? "—"}</td>
                  <td>
                    <When at={g.createdDateTime} />
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
      {creating ? (
        <NewGroupDialog
          onClose={() => setCreating(false)}
          onCreated={(g) => navigate(`${base}/groups/${g.id}`)}
        />
      ) : null}
    </>
  );
}

function NewGroupDialog(props: { onClose(): void; onCreated(group: DirectoryGroup): void }) {
  const [draft, setDraft] = useState({ displayName: "", description: "" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const id = useId();
  const errors = formErrors(error, {
    displayName: { paths: ["displayName"], codes: /name/ },
    description: { paths: ["description"], codes: /description/ },
  });
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const description = draft.description.trim();
      props.onCreated(
        await api<DirectoryGroup>("POST", "/api/v1/groups", {
          displayName: draft.displayName.trim(),
          ...(description ? { description } : {}),
        }),
      );
    } catch (e) {
      setError(asApiError(e));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="New group"
      submitLabel="Create"
      submitting={busy}
      onClose={props.onClose}
      onSubmit={() => void submit()}
    >
      <label htmlFor={`${id}-name`}>Name</label>
      <input
        id={`${id}-name`}
        type="text"
        required
        maxLength={256}
        value={draft.displayName}
        {...describe(errors.at("displayName"), `${id}-name-error`)}
        onChange={(e) => setDraft({ ...draft, displayName: e.target.value })}
      />
      <FieldError id={`${id}-name-error`} message={errors.at("displayName")} />
      <label htmlFor={`${id}-description`}>Description (optional)</label>
      <textarea
        id={`${id}-description`}
        maxLength={1024}
        value={draft.description}
        {...describe(errors.at("description"), `${id}-description-error`)}
        onChange={(e) => setDraft({ ...draft, description: e.target.value })}
      />
      <FieldError id={`${id}-description-error`} message={errors.at("description")} />
      <ErrorText error={errors.general} />
    </Dialog>
  );
}
