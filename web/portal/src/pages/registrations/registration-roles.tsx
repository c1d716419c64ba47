import { useId, useState } from "react";
import { api, asApiError, type PortalApiError, useApi } from "../../api/client.ts";
import { useCan } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { Empty, ErrorText, Loading } from "../../components/status.tsx";
import { EditRoleDialog, type Member, MemberTypesField } from "./registration-role-edit.tsx";
import type { Application, AppRole } from "./types.ts";

/** App roles: roles for users and groups, and application permissions other apps may require. */
export function RegistrationRoles(props: { app: Application }) {
  const { app } = props;
  const can = useCan();
  const path = `/api/v1/applications/${app.id}/appRoles`;
  const list = useApi<{ value: AppRole[] }>(path);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<AppRole>();
  const [editing, setEditing] = useState<AppRole>();
  const [draft, setDraft] = useState({
    value: "",
    displayName: "",
    description: "",
    members: ["User"] as Member[],
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [status, setStatus] = useState("");
  const id = useId();

  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    setStatus("");
    try {
      setStatus(await work());
      setAdding(false);
      setDeleting(undefined);
      list.reload();
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };
  const add = () =>
    run(async () => {
      await api("POST", path, {
        value: draft.value.trim(),
        displayName: draft.displayName.trim(),
        description: draft.description.trim(),
        allowedMemberTypes: draft.members,
      });
      setDraft({ value: "", displayName: "", description: "", members: ["User"] });
      return `App role ${draft.value.trim()} added.`;
    });
  const toggle = (r: AppRole) =>
    run(async () => {
      await api("PATCH", `${path}/${r.id}`, { isEnabled: !r.isEnabled });
      return `App role ${r.value} ${r.isEnabled ? "disabled" : "enabled"}.`;
    });
  const remove = (r: AppRole) =>
    run(async () => {
      await api("DELETE", `${path}/${r.id}`);
      return `App role ${r.value} deleted.`;
    });
  const roles = list.data?.value;
  return (
    <section aria-labelledby="app-roles">
      <h2 id="app-roles">App roles</h2>
      {can("applications.write") ? (
        <div className="actions">
          <button
            type="button"
            onClick={() => {
              setError(undefined);
              setAdding(true);
            }}
          >
            Add an app role
          </button>
        </div>
      ) : null}
      {adding || deleting || editing ? null : <ErrorText error={error} />}
      <p role="status" className="success">
        {status}
      </p>
      <ErrorText error={list.error} />
      {list.loading && !roles ? <Loading what="app roles" /> : null}
      {roles?.length === 0 ? <Empty>The app defines no app roles.</Empty> : null}
      {roles && roles.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">App roles</caption>
            <thead>
              <tr>
                <th scope="col">Value</th>
                <th scope="col">Display name</th>
                <th scope="col">Allowed members</th>
                <th scope="col">State</th>
                {can("applications.write") ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {roles.map((r) => (
                <tr key={r.id}>
                  <td className="wrap">
                    <code>{r.value}</code>
                  </td>
                  <td className="wrap">
                    {r.displayName}
                    <div className="muted small">{r.description}</div>
                  </td>
                  <td>
                    {r.allowedMemberTypes
                      .map((m) => (m === "User" ? "Users/groups" : "Applications"))
                      .join(", ")}
                  </td>
                  <td>
                    {r.isEnabled ? (
                      <span className="badge success">Enabled</span>
                    ) : (
                      <span className="badge">Disabled</span>
                    )}
                  </td>
                  {can("applications.write") ? (
                    <td>
                      <div className="row">
                        <button
                          type="button"
                          className="link"
                          aria-label={`Edit ${r.value}`}
                          onClick={() => {
                            setError(undefined);
                            setStatus("");
                            setEditing(r);
                          }}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          className="link"
                          disabled={busy}
                          aria-label={`${r.isEnabled ? "Disable" : "Enable"} ${r.value}`}
                          onClick={() => void toggle(r)}
                        >
                          {r.isEnabled ? "Disable" : "Enable"}
                        </button>
                        {r.isEnabled ? null : (
                          <button
                            type="button"
                            className="link"
                            aria-label={`Delete ${r.value}`}
                            onClick={() => {
                              setError(undefined);
                              setDeleting(r);
                            }}
                          >
                            Delete
                          </button>
                        )}
                      </div>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {adding ? (
        <Dialog
          title="Add an app role"
          submitLabel="Add app role"
          submitting={busy}
          onClose={() => setAdding(false)}
          onSubmit={() => void add()}
        >
          <label htmlFor={`${id}-name`}>Display name</label>
          <input
            id={`${id}-name`}
            type="text"
            required
            maxLength={1024}
            value={draft.displayName}
            onChange={(e) => setDraft({ ...draft, displayName: e.target.value })}
          />
          <label htmlFor={`${id}-value`}>Value</label>
          <input
            id={`${id}-value`}
            type="text"
            required
            maxLength={120}
            placeholder="Reports.Approve"
            aria-describedby={`${id}-value-hint`}
            value={draft.value}
            onChange={(e) => setDraft({ ...draft, value: e.target.value })}
          />
          <p className="muted small hint" id={`${id}-value-hint`}>
            What tokens carry in the roles claim.
          </p>
          <label htmlFor={`${id}-desc`}>Description</label>
          <textarea
            id={`${id}-desc`}
            required
            maxLength={1024}
            value={draft.description}
            onChange={(e) => setDraft({ ...draft, description: e.target.value })}
          />
          <MemberTypesField
            value={draft.members}
            onChange={(members) => setDraft({ ...draft, members })}
          />
          {draft.members.length === 0 ? (
            <p className="error">
              Choose who can hold the role: users and groups, applications, or both.
            </p>
          ) : null}
          <ErrorText error={error} />
        </Dialog>
      ) : null}
      {editing ? (
        <EditRoleDialog
          appId={app.id}
          role={editing}
          onClose={() => setEditing(undefined)}
          onSaved={(message) => {
            setEditing(undefined);
            setStatus(message);
            list.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <Dialog
          title={`Delete app role ${deleting.value}?`}
          submitLabel="Delete"
          danger
          submitting={busy}
          onClose={() => setDeleting(undefined)}
          onSubmit={() => void remove(deleting)}
        >
          <p>Assignments of this role stop counting, and tokens stop carrying it.</p>
          <ErrorText error={error} />
        </Dialog>
      ) : null}
    </section>
  );
}
