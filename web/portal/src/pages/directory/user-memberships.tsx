import { useId, useState } from "react";
import { api, asApiError, type Page, type PortalApiError, useApi } from "../../api/client.ts";
import { useCan } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { Link } from "../../components/link.tsx";
import { Empty, ErrorText, Loading } from "../../components/status.tsx";
import type { DirectoryGroup, DirectoryUser, GroupReference } from "./types.ts";

/** A user's groups: the list, add to a group (picked by name), remove from one. */
export function UserMemberships(props: { base: string; user: DirectoryUser }) {
  const { base, user } = props;
  const can = useCan();
  const list = useApi<{ value: GroupReference[] }>(`/api/v1/users/${user.id}/memberOf`);
  const groups = useApi<Page<DirectoryGroup>>(
    can("directory.write") ? "/api/v1/groups?top=200" : undefined,
  );
  const [pick, setPick] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [status, setStatus] = useState("");
  const [removing, setRemoving] = useState<GroupReference>();
  const id = useId();
  const member = new Set(list.data?.value.map((g) => g.id));
  const options = (groups.data?.value ?? []).filter((g) => !member.has(g.id));

  const add = async () => {
    const group = options.find((g) => g.id === pick);
    if (!group) return;
    setBusy(true);
    setError(undefined);
    setStatus("");
    try {
      await api("POST", `/api/v1/groups/${group.id}/members`, { userId: user.id });
      setStatus(`Added to ${group.displayName}.`);
      setPick("");
      list.reload();
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };
  const remove = async () => {
    if (!removing) return;
    setBusy(true);
    setError(undefined);
    try {
      await api("DELETE", `/api/v1/groups/${removing.id}/members/${user.id}`);
      setStatus(`Removed from ${removing.displayName}.`);
      setRemoving(undefined);
      list.reload();
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };

  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Groups</h2>
      {can("directory.write") ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <label htmlFor={`${id}-pick`}>Add to a group</label>
          <div className="row">
            <select id={`${id}-pick`} value={pick} onChange={(e) => setPick(e.target.value)}>
              <option value="">Choose a group…</option>
              {options.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.displayName}
                </option>
              ))}
            </select>
            <button type="submit" className="primary" disabled={!pick || busy}>
              Add
            </button>
          </div>
          {removing ? null : <ErrorText error={error ?? groups.error} />}
        </form>
      ) : null}
      <p role="status" className="success">
        {status}
      </p>
      <ErrorText error={list.error} />
      {list.loading && !list.data ? <Loading what="groups" /> : null}
      {list.data?.value.length === 0 ? <Empty>Not a member of any group.</Empty> : null}
      {list.data && list.data.value.length > 0 ? (
        <ul className="cards">
          {list.data.value.map((g) => (
            <li key={g.id} className="card-row">
              <Link to={`${base}/groups/${g.id}`}>{g.displayName}</Link>
              {can("directory.write") ? (
                <button
                  type="button"
                  className="link"
                  aria-label={`Remove from ${g.displayName}`}
                  onClick={() => {
                    setError(undefined);
                    setRemoving(g);
                  }}
                >
                  Remove
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {removing ? (
        <Dialog
          title={`Remove ${user.displayName} from ${removing.displayName}?`}
          submitLabel="Remove"
          danger
          submitting={busy}
          onClose={() => setRemoving(undefined)}
          onSubmit={() => void remove()}
        >
          <p>They lose the app assignments and consents they have only through this group.</p>
          <ErrorText error={error} />
        </Dialog>
      ) : null}
    </section>
  );
}
