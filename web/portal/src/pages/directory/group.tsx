import { useEffect, useId, useState } from "react";
import { api, asApiError, type Page, type PortalApiError, useApi } from "../../api/client.ts";
import { useCan } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { Link } from "../../components/link.tsx";
import { Empty, ErrorText, Loading, When } from "../../components/status.tsx";
import { navigate } from "../../router.ts";
import type { DirectoryGroup, DirectoryUser, GroupMember } from "./types.ts";

/** One group: its properties, its members (add a user found by name, remove one), deletion. */
export function GroupPage(props: { base: string; id: string }) {
  const { base, id } = props;
  const can = useCan();
  const path = `/api/v1/groups/${encodeURIComponent(id)}`;
  const group = useApi<DirectoryGroup>(path);
  const members = useApi<{ value: GroupMember[] }>(`${path}/members`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [status, setStatus] = useState("");
  const [removing, setRemoving] = useState<GroupMember>();
  const [deleting, setDeleting] = useState(false);
  const hid = useId();
  const g = group.data;

  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    setStatus("");
    try {
      setStatus(await work());
      setRemoving(undefined);
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };
  const add = (user: DirectoryUser) =>
    run(async () => {
      await api("POST", `${path}/members`, { userId: user.id });
      members.reload();
      return `${user.displayName} added.`;
    });
  const remove = (m: GroupMember) =>
    run(async () => {
      await api("DELETE", `${path}/members/${m.id}`);
      members.reload();
      return `${m.displayName} removed.`;
    });
  const removeGroup = () =>
    run(async () => {
      await api("DELETE", path);
      navigate(`${base}/groups`);
      return "";
    });

  return (
    <>
      <p className="crumbs">
        <Link to={`${base}/groups`}>Groups</Link>
      </p>
      <ErrorText error={group.error} />
      {group.loading && !g ? <Loading what="the group" /> : null}
      {g ? (
        <>
          <h1>{g.displayName}</h1>
          <dl className="facts">
            <dt>Description</dt>
            <dd>{g.description ?? "—"}</dd>
            <dt>Object id</dt>
            <dd>{g.id}</dd>
            <dt>Created</dt>
            <dd>
              <When at={g.createdDateTime} />
            </dd>
          </dl>
          {can("directory.write") ? (
            <div className="actions">
              <button
                type="button"
                className="danger"
                onClick={() => {
                  setError(undefined);
                  setDeleting(true);
                }}
              >
                Delete group
              </button>
            </div>
          ) : null}
          <section aria-labelledby={`${hid}-members`}>
            <h2 id={`${hid}-members`}>Members</h2>
            {can("directory.write") ? (
              <UserPicker
                exclude={new Set(members.data?.value.map((m) => m.id))}
                busy={busy}
                onPick={(u) => void add(u)}
              />
            ) : null}
            {removing || deleting ? null : <ErrorText error={error} />}
            <p role="status" className="success">
              {status}
            </p>
            <ErrorText error={members.error} />
            {members.loading && !members.data ? <Loading what="members" /> : null}
            {members.data?.value.length === 0 ? <Empty>The group has no members.</Empty> : null}
            {members.data && members.data.value.length > 0 ? (
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">Members</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">User principal name</th>
                      <th scope="col">Added</th>
                      {can("directory.write") ? (
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      ) : null}
                    </tr>
                  </thead>
                  <tbody>
                    {members.data.value.map((m) => (
                      <tr key={m.id}>
                        <td>
                          <Link to={`${base}/users/${m.id}`}>{m.displayName}</Link>
                        </td>
                        <td className="wrap">{m.userPrincipalName}</td>
                        <td>
                          <When at={m.addedDateTime} />
                        </td>
                        {can("directory.write") ? (
                          <td>
                            <button
                              type="button"
                              className="link"
                              aria-label={`Remove ${m.displayName}`}
                              onClick={() => {
                                setError(undefined);
                                setRemoving(m);
                              }}
                            >
                              Remove
                            </button>
                          </td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </section>
        </>
      ) : null}
      {g && removing ? (
        <Dialog
          title={`Remove ${removing.displayName} from ${g.displayName}?`}
          submitLabel="Remove"
          danger
          submitting={busy}
          onClose={() => setRemoving(undefined)}
          onSubmit={() => void remove(removing)}
        >
          <p>They lose the app assignments and consents they have only through this group.</p>
          <ErrorText error={error} />
        </Dialog>
      ) : null}
      {g && deleting ? (
        <Dialog
          title={`Delete ${g.displayName}?`}
          submitLabel="Delete group"
          danger
          submitting={busy}
          onClose={() => setDeleting(false)}
          onSubmit={() => void removeGroup()}
        >
          <p>
            The group is deleted for good, with its memberships and app assignments. Its members
            stay in the directory.
          </p>
          <ErrorText error={error} />
        </Dialog>
      ) : null}
    </>
  );
}

/**
 * Finds users by the start of a name or user name (as the Users list does) and offers each
 * match with an Add button; the matches are announced as they change.
 */
function UserPicker(props: {
  exclude: Set<string>;
  busy: boolean;
  onPick(u: DirectoryUser): void;
}) {
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const id = useId();
  // Waits for a pause in typing before asking the server (one request per word, not per key).
  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), 250);
    return () => clearTimeout(timer);
  }, [text]);
  const found = useApi<Page<DirectoryUser>>(
    query ? `/api/v1/users?${new URLSearchParams({ search: query, top: "10" })}` : undefined,
  );
  const matches = (query ? (found.data?.value ?? []) : []).filter((u) => !props.exclude.has(u.id));
  return (
    <div className="picker">
      <label htmlFor={`${id}-find`}>Add a member: find a user by name</label>
      <input
        id={`${id}-find`}
        type="search"
        autoComplete="off"
        value={text}
        aria-describedby={`${id}-count`}
        onChange={(e) => setText(e.target.value)}
      />
      <p className="muted small hint" id={`${id}-count`} role="status">
        {!query
          ? "Type the start of a name or user name."
          : found.loading
            ? "Searching…"
            : matches.length === 0
              ? "No user to add matches."
              : `${matches.length} ${matches.length === 1 ? "user matches" : "users match"}.`}
      </p>
      <ErrorText error={found.error} />
      {matches.length > 0 ? (
        <ul className="cards" aria-label="Matching users">
          {matches.map((u) => (
            <li key={u.id} className="card-row">
              <span>
                {u.displayName} <span className="muted small">{u.userPrincipalName}</span>
              </span>
              <button
                type="button"
                disabled={props.busy}
                aria-label={`Add ${u.displayName}`}
                onClick={() => props.onPick(u)}
              >
                Add
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
