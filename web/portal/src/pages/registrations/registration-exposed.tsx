import { useId, useState } from "react";
import { api, asApiError, type PortalApiError, useApi } from "../../api/client.ts";
import { useCan } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { Empty, ErrorText, Loading } from "../../components/status.tsx";
import { fieldOf } from "../directory/field-error.ts";
import type { Application, PermissionScope } from "./types.ts";

interface Draft {
  value: string;
  type: "Admin" | "User";
  adminConsentDisplayName: string;
  adminConsentDescription: string;
  userConsentDisplayName: string;
  userConsentDescription: string;
}

const EMPTY: Draft = {
  value: "",
  type: "Admin",
  adminConsentDisplayName: "",
  adminConsentDescription: "",
  userConsentDisplayName: "",
  userConsentDescription: "",
};

/**
 * Expose an API: the delegated permissions (scopes) other apps may ask for, with what consent
 * screens say about them and whether an administrator must consent. Entra's rule holds: a
 * scope is disabled before it is deleted, so nothing depends on it unnoticed when it goes.
 */
export function RegistrationExposed(props: { app: Application }) {
  const { app } = props;
  const can = useCan();
  const path = `/api/v1/applications/${app.id}/oauth2PermissionScopes`;
  const list = useApi<{ value: PermissionScope[] }>(path);
  const [editing, setEditing] = useState<PermissionScope | "new">();
  const [deleting, setDeleting] = useState<PermissionScope>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [status, setStatus] = useState("");
  const uri = app.identifierUris[0] ?? `api://${app.appId}`;

  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    setStatus("");
    try {
      setStatus(await work());
      setEditing(undefined);
      setDeleting(undefined);
      list.reload();
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };
  const save = (draft: Draft) =>
    run(async () => {
      const texts = {
        adminConsentDisplayName: draft.adminConsentDisplayName.trim() || draft.value.trim(),
        adminConsentDescription: draft.adminConsentDescription.trim(),
        type: draft.type,
      };
      if (editing === "new") {
        const user = {
          ...(draft.userConsentDisplayName.trim()
            ? { userConsentDisplayName: draft.userConsentDisplayName.trim() }
            : {}),
          ...(draft.userConsentDescription.trim()
            ? { userConsentDescription: draft.userConsentDescription.trim() }
            : {}),
        };
        await api("POST", path, { value: draft.value.trim(), ...texts, ...user });
        return `Scope ${draft.value.trim()} added.`;
      }
      if (!editing) return "";
      await api("PATCH", `${path}/${editing.id}`, {
        ...texts,
        userConsentDisplayName: draft.userConsentDisplayName.trim() || null,
        userConsentDescription: draft.userConsentDescription.trim() || null,
      });
      return `Scope ${editing.value} saved.`;
    });
  const setEnabled = (s: PermissionScope, isEnabled: boolean) =>
    run(async () => {
      await api("PATCH", `${path}/${s.id}`, { isEnabled });
      return `Scope ${s.value} ${isEnabled ? "enabled" : "disabled"}.`;
    });
  const remove = (s: PermissionScope) =>
    run(async () => {
      await api("DELETE", `${path}/${s.id}`);
      return `Scope ${s.value} deleted.`;
    });
  const scopes = list.data?.value;
  const dialogOpen = editing !== undefined || deleting !== undefined;
  return (
    <section aria-labelledby="expose-an-api">
      <h2 id="expose-an-api">Expose an API</h2>
      <p className="small">
        Application ID URI: <code>{uri}</code>. Other apps ask for a scope as{" "}
        <code>{uri}/&lt;scope&gt;</code>.
      </p>
      {can("applications.write") ? (
        <div className="actions">
          <button
            type="button"
            onClick={() => {
              setError(undefined);
              setEditing("new");
            }}
          >
            Add a scope
          </button>
        </div>
      ) : null}
      {dialogOpen ? null : <ErrorText error={error} />}
      <p role="status" className="success">
        {status}
      </p>
      <ErrorText error={list.error} />
      {list.loading && !scopes ? <Loading what="scopes" /> : null}
      {scopes?.length === 0 ? <Empty>The app exposes no scopes.</Empty> : null}
      {scopes && scopes.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Scopes this API defines</caption>
            <thead>
              <tr>
                <th scope="col">Scope</th>
                <th scope="col">Who can consent</th>
                <th scope="col">Admin consent text</th>
                <th scope="col">State</th>
                {can("applications.write") ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {scopes.map((s) => (
                <tr key={s.id}>
                  <td className="wrap">
                    <code>{s.value}</code>
                    <div className="muted small">
                      {uri}/{s.value}
                    </div>
                  </td>
                  <td>{s.type === "Admin" ? "Admins only" : "Admins and users"}</td>
                  <td className="wrap">
                    {s.adminConsentDisplayName}
                    <div className="muted small">{s.adminConsentDescription}</div>
                  </td>
                  <td>
                    {s.isEnabled ? (
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
                          aria-label={`Edit ${s.value}`}
                          onClick={() => {
                            setError(undefined);
                            setEditing(s);
                          }}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          className="link"
                          disabled={busy}
                          aria-label={`${s.isEnabled ? "Disable" : "Enable"} ${s.value}`}
                          onClick={() => void setEnabled(s, !s.isEnabled)}
                        >
                          {s.isEnabled ? "Disable" : "Enable"}
                        </button>
                        {s.isEnabled ? null : (
                          <button
                            type="button"
                            className="link"
                            aria-label={`Delete ${s.value}`}
                            onClick={() => {
                              setError(undefined);
                              setDeleting(s);
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
      {scopes?.some((s) => s.isEnabled) && can("applications.write") ? (
        <p className="muted small">To delete a scope, disable it first.</p>
      ) : null}
      {editing ? (
        <ScopeDialog
          scope={editing === "new" ? undefined : editing}
          busy={busy}
          error={error}
          onClose={() => setEditing(undefined)}
          onSave={(d) => void save(d)}
        />
      ) : null}
      {deleting ? (
        <Dialog
          title={`Delete scope ${deleting.value}?`}
          submitLabel="Delete"
          danger
          submitting={busy}
          onClose={() => setDeleting(undefined)}
          onSubmit={() => void remove(deleting)}
        >
          <p>
            Apps can no longer ask for {uri}/{deleting.value}. Grants that name it stop covering it.
          </p>
          <ErrorText error={error} />
        </Dialog>
      ) : null}
    </section>
  );
}

function ScopeDialog(props: {
  scope: PermissionScope | undefined;
  busy: boolean;
  error: PortalApiError | undefined;
  onClose(): void;
  onSave(draft: Draft): void;
}) {
  const { scope, error } = props;
  const [draft, setDraft] = useState<Draft>(
    scope
      ? {
          value: scope.value,
          type: scope.type,
          adminConsentDisplayName: scope.adminConsentDisplayName,
          adminConsentDescription: scope.adminConsentDescription,
          userConsentDisplayName: scope.userConsentDisplayName ?? "",
          userConsentDescription: scope.userConsentDescription ?? "",
        }
      : EMPTY,
  );
  const id = useId();
  const onValue =
    fieldOf(error, { value: /duplicate_scope|invalid_scope|scope_value/ }) === "value";
  const text = (key: keyof Draft, label: string, required: boolean, area = false) => (
    <>
      <label htmlFor={`${id}-${key}`}>{label}</label>
      {area ? (
        <textarea
          id={`${id}-${key}`}
          required={required}
          maxLength={1024}
          value={draft[key]}
          onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
        />
      ) : (
        <input
          id={`${id}-${key}`}
          type="text"
          required={required}
          maxLength={1024}
          value={draft[key]}
          onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
        />
      )}
    </>
  );
  return (
    <Dialog
      title={scope ? `Edit scope ${scope.value}` : "Add a scope"}
      submitLabel={scope ? "Save" : "Add scope"}
      submitting={props.busy}
      onClose={props.onClose}
      onSubmit={() => props.onSave(draft)}
    >
      <label htmlFor={`${id}-value`}>Scope name</label>
      <input
        id={`${id}-value`}
        type="text"
        required
        maxLength={120}
        placeholder="Files.Read"
        readOnly={scope !== undefined}
        value={draft.value}
        aria-invalid={onValue || undefined}
        aria-describedby={`${id}-value-hint${onValue ? ` ${id}-error` : ""}`}
        onChange={(e) => setDraft({ ...draft, value: e.target.value })}
      />
      <p className="muted small hint" id={`${id}-value-hint`}>
        {scope
          ? "The name cannot change: grants and tokens carry it. Add a new scope instead."
          : "What apps ask for and tokens carry in scp, e.g. Files.Read."}
      </p>
      {onValue ? <ErrorText error={error} id={`${id}-error`} /> : null}
      <fieldset>
        <legend>Who can consent</legend>
        <label className="check">
          <input
            type="radio"
            name={`${id}-type`}
            checked={draft.type === "Admin"}
            onChange={() => setDraft({ ...draft, type: "Admin" })}
          />
          Admins only (admin consent required)
        </label>
        <label className="check">
          <input
            type="radio"
            name={`${id}-type`}
            checked={draft.type === "User"}
            onChange={() => setDraft({ ...draft, type: "User" })}
          />
          Admins and users
        </label>
      </fieldset>
      {text("adminConsentDisplayName", "Admin consent display name", false)}
      {text("adminConsentDescription", "Admin consent description", true, true)}
      {text("userConsentDisplayName", "User consent display name (optional)", false)}
      {text("userConsentDescription", "User consent description (optional)", false, true)}
      {onValue ? null : <ErrorText error={error} />}
    </Dialog>
  );
}
