import { useId, useState } from "react";
import { api, asApiError, type PortalApiError, useApi } from "../../api/client.ts";
import { useCan } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { Empty, ErrorText, Loading, When } from "../../components/status.tsx";
import type { DirectoryUser, RoleAssignment, RoleDefinition } from "./types.ts";

const ASSIGNMENTS = "/api/v1/roleManagement/directory/roleAssignments";

/** A user's directory roles: the list, assign one (with what it allows), remove one. */
export function UserRoles(props: { user: DirectoryUser }) {
  const { user } = props;
  const can = useCan();
  const list = useApi<{ value: RoleAssignment[] }>(
    `${ASSIGNMENTS}?${new URLSearchParams({ principalId: user.id })}`,
  );
  const roles = useApi<{ value: RoleDefinition[] }>(
    "/api/v1/roleManagement/directory/roleDefinitions",
  );
  const [pick, setPick] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [status, setStatus] = useState("");
  const [removing, setRemoving] = useState<RoleAssignment>();
  const id = useId();
  const held = new Set(list.data?.value.map((a) => a.roleDefinitionId));
  const options = (roles.data?.value ?? []).filter((r) => !held.has(r.id));
  const picked = options.find((r) => r.id === pick);

  const assign = async () => {
    if (!picked) return;
    setBusy(true);
    setError(undefined);
    setStatus("");
    try {
      await api("POST", ASSIGNMENTS, { principalId: user.id, roleDefinitionId: picked.id });
      setStatus(`${picked.displayName} assigned.`);
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
      await api("DELETE", `${ASSIGNMENTS}/${encodeURIComponent(removing.id)}`);
      setStatus(`${removing.roleDisplayName} removed.`);
      setRemoving(undefined);
      list.reload();
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };

  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Directory roles</h2>
      {can("roles.write") ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void assign();
          }}
        >
          <label htmlFor={`${id}-pick`}>Assign a role</label>
          <div className="row">
            <select
              id={`${id}-pick`}
              value={pick}
              onChange={(e) => setPick(e.target.value)}
              aria-describedby={picked ? `${id}-about` : undefined}
            >
              <option value="">Choose a role…</option>
              {options.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.displayName}
                </option>
              ))}
            </select>
            <button type="submit" className="primary" disabled={!picked || busy}>
              Assign
            </button>
          </div>
          {picked ? (
            <p className="muted small hint" id={`${id}-about`}>
              {picked.description}
            </p>
          ) : null}
          {removing ? null : <ErrorText error={error ?? roles.error} />}
        </form>
      ) : null}
      <p role="status" className="success">
        {status}
      </p>
      <ErrorText error={list.error} />
      {list.loading && !list.data ? <Loading what="directory roles" /> : null}
      {list.data?.value.length === 0 ? <Empty>No directory roles.</Empty> : null}
      {list.data && list.data.value.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Directory roles</caption>
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Scope</th>
                <th scope="col">Assigned</th>
                {can("roles.write") ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {list.data.value.map((a) => (
                <tr key={a.id}>
                  <td>{a.roleDisplayName}</td>
                  <td>Whole organization</td>
                  <td>
                    <When at={a.createdDateTime} />
                  </td>
                  {can("roles.write") ? (
                    <td>
                      <button
                        type="button"
                        className="link"
                        aria-label={`Remove ${a.roleDisplayName}`}
                        onClick={() => {
                          setError(undefined);
                          setRemoving(a);
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
      {removing ? (
        <Dialog
          title={`Remove ${removing.roleDisplayName}?`}
          submitLabel="Remove"
          danger
          submitting={busy}
          onClose={() => setRemoving(undefined)}
          onSubmit={() => void remove()}
        >
          <p>{user.displayName} loses what the role allows on their next admin request.</p>
          <ErrorText error={error} />
        </Dialog>
      ) : null}
    </section>
  );
}
