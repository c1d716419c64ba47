import { useId, useState } from "react";
import { api, asApiError, type Page, type PortalApiError, useApi } from "../../api/client.ts";
import type { AppRoleAssignedTo, Group, ServicePrincipal, User } from "../../api/types.ts";
import { useCan, useReadOnlyNote } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { Empty, ErrorText, Loading, When } from "../../components/status.tsx";

const nameOf = (a: AppRoleAssignedTo) =>
  a.principalDisplayName ?? a.userPrincipalName ?? a.principalId;

/** The app's Users and groups tab: who is assigned, assign a user or a group, remove one. */
export function AppAssignments(props: { sp: ServicePrincipal }) {
  const { sp } = props;
  const path = `/api/v1/servicePrincipals/${sp.id}/appRoleAssignedTo`;
  const list = useApi<{ value: AppRoleAssignedTo[] }>(path);
  const can = useCan();
  const readOnly = useReadOnlyNote();
  const writable = can("assignments.write");
  const users = useApi<Page<User>>(writable ? "/api/v1/users?top=100" : undefined);
  const groups = useApi<Page<Group>>(writable ? "/api/v1/groups?top=100" : undefined);
  const [pick, setPick] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [status, setStatus] = useState("");
  const [removing, setRemoving] = useState<AppRoleAssignedTo>();
  const [removeError, setRemoveError] = useState<PortalApiError>();
  const id = useId();
  const assigned = new Set(list.data?.value.map((a) => a.principalId));
  const options: Array<[string, string]> = [
    ...(users.data?.value ?? [])
      .filter((u) => !assigned.has(u.id))
      .map((u): [string, string] => [
        `User:${u.id}`,
        `User: ${u.displayName} (${u.userPrincipalName})`,
      ]),
    ...(groups.data?.value ?? [])
      .filter((g) => !assigned.has(g.id))
      .map((g): [string, string] => [`Group:${g.id}`, `Group: ${g.displayName}`]),
  ];
  const assign = async () => {
    if (!pick) return;
    const [principalType, principalId] = pick.split(":");
    setBusy(true);
    setError(undefined);
    setStatus("");
    try {
      const made = await api<AppRoleAssignedTo>("POST", path, { principalType, principalId });
      setStatus(`${nameOf(made)} assigned.`);
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
    setRemoveError(undefined);
    try {
      await api("DELETE", `${path}/${removing.id}`);
      setStatus(`${nameOf(removing)} removed.`);
      setRemoving(undefined);
      list.reload();
    } catch (e) {
      setRemoveError(asApiError(e));
    }
    setBusy(false);
  };
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Users and groups</h2>
      {sp.appRoleAssignmentRequired ? null : (
        <p className="muted">
          Assignment is not required: every user of the organization can sign in. Turn on Assignment
          required under Properties to admit only the users and groups below.
        </p>
      )}
      {writable ? null : <p className="muted">{readOnly("assignments.write")}</p>}
      {writable ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void assign();
          }}
        >
          <label htmlFor={`${id}-pick`}>Add a user or group</label>
          <div className="row">
            <select id={`${id}-pick`} value={pick} onChange={(e) => setPick(e.target.value)}>
              <option value="">Choose…</option>
              {options.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
            <button type="submit" className="primary" disabled={!pick || busy}>
              Assign
            </button>
          </div>
          <ErrorText error={error ?? users.error ?? groups.error} />
          <p role="status" className="success">
            {status}
          </p>
        </form>
      ) : null}
      <ErrorText error={list.error} />
      {list.loading && !list.data ? <Loading what="assignments" /> : null}
      {list.data?.value.length === 0 ? <Empty>No users or groups are assigned.</Empty> : null}
      {list.data && list.data.value.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Assigned users and groups</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Role</th>
                <th scope="col">Assigned</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.value.map((a) => (
                <tr key={a.id}>
                  <td>
                    {nameOf(a)}
                    {a.userPrincipalName ? (
                      <div className="muted small">{a.userPrincipalName}</div>
                    ) : null}
                  </td>
                  <td>{a.principalType}</td>
                  <td>{a.appRoleValue ?? "Default access"}</td>
                  <td>
                    <When at={a.createdDateTime} />
                  </td>
                  <td>
                    {writable ? (
                      <button
                        type="button"
                        className="link"
                        aria-label={`Remove ${nameOf(a)}`}
                        onClick={() => {
                          setRemoveError(undefined);
                          setRemoving(a);
                        }}
                      >
                        Remove
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {removing ? (
        <Dialog
          title={`Remove ${nameOf(removing)}?`}
          submitLabel="Remove"
          danger
          submitting={busy}
          onClose={() => setRemoving(undefined)}
          onSubmit={() => void remove()}
        >
          <p>
            {removing.principalType === "Group" ? "Members of this group" : "This user"} will no
            longer be assigned to {sp.displayName}.
          </p>
          <ErrorText error={removeError} />
        </Dialog>
      ) : null}
    </section>
  );
}
