import { useId, useState } from "react";
import { api, asApiError, type PortalApiError, useApi } from "../../api/client.ts";
import { useCan } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { Empty, ErrorText, Loading } from "../../components/status.tsx";
import { fieldOf } from "../directory/field-error.ts";
import type { Application, RequiredPermission } from "./types.ts";

const TYPE_NAMES = { Scope: "Delegated", Role: "Application" } as const;

const nameOf = (p: RequiredPermission) =>
  `${p.value ?? "(no longer defined)"} of ${p.resourceDisplayName ?? p.resourceAppId}`;

/**
 * API permissions: what the app requires of other APIs, delegated (acts for the signed-in
 * user) or application (acts as itself), which `/.default` asks for and admin consent grants.
 */
export function RegistrationPermissions(props: { app: Application }) {
  const { app } = props;
  const can = useCan();
  const path = `/api/v1/applications/${app.id}/requiredResourceAccess`;
  const list = useApi<{ value: RequiredPermission[] }>(path);
  const [draft, setDraft] = useState({
    resource: "",
    value: "",
    type: "Scope" as "Scope" | "Role",
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [status, setStatus] = useState("");
  const [removing, setRemoving] = useState<RequiredPermission>();
  const id = useId();
  const field = removing
    ? undefined
    : fieldOf(error, { value: /unknown_(scope|role)/, resource: /not_found/ });

  const add = async () => {
    setBusy(true);
    setError(undefined);
    setStatus("");
    try {
      const made = await api<RequiredPermission>("POST", path, {
        resource: draft.resource.trim(),
        value: draft.value.trim(),
        type: draft.type,
      });
      setStatus(`${nameOf(made)} added.`);
      setDraft({ ...draft, value: "" });
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
      await api("DELETE", `${path}/${removing.id}`);
      setStatus(`${nameOf(removing)} removed.`);
      setRemoving(undefined);
      list.reload();
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };
  const invalid = (f: typeof field) => ({
    "aria-invalid": field === f || undefined,
    "aria-describedby": field === f ? `${id}-error` : undefined,
  });
  const here = (f: typeof field) =>
    field === f ? <ErrorText error={error} id={`${id}-error`} /> : null;
  const items = list.data?.value;
  return (
    <section aria-labelledby="api-permissions">
      <h2 id="api-permissions">API permissions</h2>
      <ErrorText error={list.error} />
      {list.loading && !items ? <Loading what="API permissions" /> : null}
      {items?.length === 0 ? <Empty>The app requires no API permissions.</Empty> : null}
      {items && items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Required API permissions</caption>
            <thead>
              <tr>
                <th scope="col">API</th>
                <th scope="col">Permission</th>
                <th scope="col">Type</th>
                {can("applications.write") ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id}>
                  <td className="wrap">
                    {p.resourceDisplayName ?? p.resourceAppId}
                    {p.resourceUri ? <div className="muted small">{p.resourceUri}</div> : null}
                  </td>
                  <td>{p.value ?? "(no longer defined by the API)"}</td>
                  <td>{TYPE_NAMES[p.type]}</td>
                  {can("applications.write") ? (
                    <td>
                      <button
                        type="button"
                        className="link"
                        aria-label={`Remove ${nameOf(p)}`}
                        onClick={() => {
                          setError(undefined);
                          setRemoving(p);
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
      {can("applications.write") ? (
        <form
          className="filters"
          aria-label="Add a permission"
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <div>
            <label htmlFor={`${id}-resource`}>API (Application ID URI or app id)</label>
            <input
              id={`${id}-resource`}
              type="text"
              required
              maxLength={512}
              placeholder="api://assent-mail"
              value={draft.resource}
              onChange={(e) => setDraft({ ...draft, resource: e.target.value })}
              {...invalid("resource")}
            />
            {here("resource")}
          </div>
          <div>
            <label htmlFor={`${id}-type`}>Type</label>
            <select
              id={`${id}-type`}
              value={draft.type}
              onChange={(e) => setDraft({ ...draft, type: e.target.value as "Scope" | "Role" })}
            >
              <option value="Scope">Delegated (scope)</option>
              <option value="Role">Application (app role)</option>
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-value`}>Permission</label>
            <input
              id={`${id}-value`}
              type="text"
              required
              maxLength={120}
              placeholder="Mail.Read"
              value={draft.value}
              onChange={(e) => setDraft({ ...draft, value: e.target.value })}
              {...invalid("value")}
            />
            {here("value")}
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Add permission
            </button>
          </div>
          {field === undefined && !removing ? <ErrorText error={error} /> : null}
        </form>
      ) : null}
      <p role="status" className="success">
        {status}
      </p>
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
            The app stops asking for it. Consent already granted stays until it is revoked under
            Enterprise applications &gt; Permissions.
          </p>
          <ErrorText error={error} />
        </Dialog>
      ) : null}
    </section>
  );
}
