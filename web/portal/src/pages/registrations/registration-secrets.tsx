import { useId, useState } from "react";
import { api, asApiError, type PortalApiError, useApi } from "../../api/client.ts";
import { useCan } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { Empty, ErrorText, Loading, When } from "../../components/status.tsx";
import { OneTimeValue } from "../directory/one-time-value.tsx";
import type { AddedPasswordCredential, Application, PasswordCredential } from "./types.ts";

/** Entra's choices; 730 days is the API's maximum (a secret that never expires is not offered). */
const LIFETIMES: Array<[number, string]> = [
  [90, "90 days (3 months)"],
  [180, "180 days (6 months, recommended)"],
  [365, "365 days (12 months)"],
  [730, "730 days (24 months)"],
];

/**
 * Certificates & secrets: client secrets by description, first characters and expiry. A new
 * secret's value is in the answer to its creation only, so it is shown then, once, with Copy.
 */
export function RegistrationSecrets(props: { app: Application }) {
  const { app } = props;
  const can = useCan();
  const path = `/api/v1/applications/${app.id}/passwordCredentials`;
  const list = useApi<{ value: PasswordCredential[] }>(path);
  const [dialog, setDialog] = useState<"add" | PasswordCredential>();
  const [added, setAdded] = useState<AddedPasswordCredential>();
  const [draft, setDraft] = useState({ displayName: "", days: 180 });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [status, setStatus] = useState("");
  const id = useId();

  const add = async () => {
    setBusy(true);
    setError(undefined);
    setStatus("");
    try {
      const made = await api<AddedPasswordCredential>("POST", path, {
        displayName: draft.displayName.trim(),
        expiresInDays: draft.days,
      });
      setAdded(made);
      setDraft({ displayName: "", days: 180 });
      list.reload();
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };
  const remove = async (s: PasswordCredential) => {
    setBusy(true);
    setError(undefined);
    try {
      await api("DELETE", `${path}/${s.keyId}`);
      setStatus(`Secret ${s.displayName || s.hint} deleted.`);
      setDialog(undefined);
      list.reload();
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };
  const close = () => {
    setDialog(undefined);
    setAdded(undefined);
  };
  const secrets = list.data?.value;
  return (
    <section aria-labelledby="secrets">
      <h2 id="secrets">Certificates &amp; secrets</h2>
      {app.isPublicClient ? (
        <p className="muted small">
          This is a public client: it signs in without a secret, with PKCE.
        </p>
      ) : null}
      {can("applications.write") ? (
        <div className="actions">
          <button
            type="button"
            onClick={() => {
              setError(undefined);
              setDialog("add");
            }}
          >
            New client secret
          </button>
        </div>
      ) : null}
      <p role="status" className="success">
        {status}
      </p>
      <ErrorText error={list.error} />
      {list.loading && !secrets ? <Loading what="client secrets" /> : null}
      {secrets?.length === 0 ? <Empty>No client secrets.</Empty> : null}
      {secrets && secrets.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Client secrets</caption>
            <thead>
              <tr>
                <th scope="col">Description</th>
                <th scope="col">Value</th>
                <th scope="col">Expires</th>
                <th scope="col">Secret id</th>
                {can("applications.write") ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {secrets.map((s) => (
                <tr key={s.keyId}>
                  <td>{s.displayName || "—"}</td>
                  <td>
                    <code>{s.hint}…</code>
                  </td>
                  <td>
                    <When at={s.endDateTime} />
                    {new Date(s.endDateTime).getTime() < Date.now() ? (
                      <span className="badge blocked">Expired</span>
                    ) : null}
                  </td>
                  <td className="small wrap">{s.keyId}</td>
                  {can("applications.write") ? (
                    <td>
                      <button
                        type="button"
                        className="link"
                        aria-label={`Delete secret ${s.displayName || s.hint}`}
                        onClick={() => {
                          setError(undefined);
                          setDialog(s);
                        }}
                      >
                        Delete
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {dialog === "add" && added ? (
        <Dialog
          title="Client secret added"
          submitLabel="Done"
          submitting={false}
          onClose={close}
          onSubmit={close}
        >
          <OneTimeValue
            label="Secret value"
            value={added.secretText}
            warning="This is the only time the value is shown: Assent keeps only a hash of it. If you lose it, add a new secret."
          />
          <p className="small">
            Secret id {added.keyId}, expires <When at={added.endDateTime} />.
          </p>
        </Dialog>
      ) : null}
      {dialog === "add" && !added ? (
        <Dialog
          title="Add a client secret"
          submitLabel="Add"
          submitting={busy}
          onClose={close}
          onSubmit={() => void add()}
        >
          <label htmlFor={`${id}-desc`}>Description</label>
          <input
            id={`${id}-desc`}
            type="text"
            maxLength={256}
            placeholder="e.g. Production web server"
            value={draft.displayName}
            onChange={(e) => setDraft({ ...draft, displayName: e.target.value })}
          />
          <label htmlFor={`${id}-days`}>Expires after</label>
          <select
            id={`${id}-days`}
            value={draft.days}
            onChange={(e) => setDraft({ ...draft, days: Number(e.target.value) })}
          >
            {LIFETIMES.map(([days, label]) => (
              <option key={days} value={days}>
                {label}
              </option>
            ))}
          </select>
          <ErrorText error={error} />
        </Dialog>
      ) : null}
      {dialog && dialog !== "add" ? (
        <Dialog
          title={`Delete secret ${dialog.displayName || dialog.hint}?`}
          submitLabel="Delete"
          danger
          submitting={busy}
          onClose={close}
          onSubmit={() => void remove(dialog)}
        >
          <p>
            Clients that present this secret are refused from their next token request on. Put
            another secret in place first.
          </p>
          <ErrorText error={error} />
        </Dialog>
      ) : null}
    </section>
  );
}
