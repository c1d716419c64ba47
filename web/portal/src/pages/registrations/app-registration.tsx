import { useId, useState } from "react";
import { api, asApiError, type PortalApiError, useApi } from "../../api/client.ts";
import { useCan } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { Link } from "../../components/link.tsx";
import { Empty, ErrorText, Loading, When } from "../../components/status.tsx";
import { RegistrationExposed } from "./registration-exposed.tsx";
import { RegistrationPermissions } from "./registration-permissions.tsx";
import { RegistrationProperties } from "./registration-properties.tsx";
import { RegistrationRoles } from "./registration-roles.tsx";
import { RegistrationSecrets } from "./registration-secrets.tsx";
import { type Application, AUDIENCES } from "./types.ts";

const SECTIONS: Array<[string, string]> = [
  ["overview", "Overview"],
  ["branding", "Branding & properties"],
  ["redirect-uris", "Redirect URIs"],
  ["secrets", "Certificates & secrets"],
  ["api-permissions", "API permissions"],
  ["expose-an-api", "Expose an API"],
  ["app-roles", "App roles"],
];

/**
 * One app registration on one page, in Entra's order: Overview, Branding & properties, Redirect
 * URIs, Certificates & secrets, API permissions, Expose an API, App roles (the list at the top
 * jumps to each).
 */
export function AppRegistrationPage(props: { base: string; id: string }) {
  const { base, id } = props;
  const app = useApi<Application>(`/api/v1/applications/${encodeURIComponent(id)}`);
  const a = app.data;
  return (
    <>
      <p className="crumbs">
        <Link to={`${base}/app-registrations`}>App registrations</Link>
      </p>
      <ErrorText error={app.error} />
      {app.loading && !a ? <Loading what="the app registration" /> : null}
      {a ? (
        <>
          <h1>{a.displayName}</h1>
          <nav aria-label="Sections of this page">
            <ul className="section-nav">
              {SECTIONS.map(([key, label]) => (
                <li key={key}>
                  <a href={`#${key}`}>{label}</a>
                </li>
              ))}
            </ul>
          </nav>
          <Overview app={a} />
          <RegistrationProperties app={a} onSaved={app.reload} />
          <RedirectUris app={a} onChanged={app.reload} />
          <RegistrationSecrets app={a} />
          <RegistrationPermissions app={a} />
          <RegistrationExposed app={a} />
          <RegistrationRoles app={a} />
        </>
      ) : null}
    </>
  );
}

function Overview(props: { app: Application }) {
  const { app } = props;
  return (
    <section aria-labelledby="overview">
      <h2 id="overview">Overview</h2>
      <dl className="facts">
        <dt>Application (client) id</dt>
        <dd>
          <code>{app.appId}</code>
        </dd>
        <dt>Object id</dt>
        <dd>{app.id}</dd>
        <dt>Supported accounts</dt>
        <dd>{AUDIENCES[app.signInAudience]}</dd>
        <dt>Client type</dt>
        <dd>
          {app.isPublicClient
            ? "Public (single-page or native app: no secret, PKCE required)"
            : "Confidential (signs in with a client secret)"}
        </dd>
        <dt>Application ID URI</dt>
        <dd>{app.identifierUris.join(", ") || "—"}</dd>
        <dt>Publisher</dt>
        <dd>
          {app.publisherDisplayName ?? "—"}{" "}
          {app.publisherVerified ? (
            <span className="badge verified">Verified publisher</span>
          ) : (
            <span className="badge">Not verified</span>
          )}
        </dd>
        <dt>Created</dt>
        <dd>
          <When at={app.createdDateTime} />
        </dd>
      </dl>
    </section>
  );
}

/** Redirect URIs: where codes and tokens may be sent; the API says in words why one is refused. */
function RedirectUris(props: { app: Application; onChanged(): void }) {
  const { app } = props;
  const can = useCan();
  const [uri, setUri] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [status, setStatus] = useState("");
  const [removing, setRemoving] = useState<string>();
  const id = useId();
  const path = `/api/v1/applications/${app.id}/redirectUris`;
  const add = async () => {
    const value = uri.trim();
    if (!value) return;
    setBusy(true);
    setError(undefined);
    setStatus("");
    try {
      await api("POST", path, { uri: value });
      setStatus(`${value} added.`);
      setUri("");
      props.onChanged();
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
      await api("DELETE", `${path}?${new URLSearchParams({ uri: removing })}`);
      setStatus(`${removing} removed.`);
      setRemoving(undefined);
      props.onChanged();
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };
  return (
    <section aria-labelledby="redirect-uris">
      <h2 id="redirect-uris">Redirect URIs</h2>
      <p className="muted small">
        Sign-in answers go only to these addresses, matched exactly: https, or http on localhost.
      </p>
      {app.redirectUris.length === 0 ? <Empty>No redirect URIs yet.</Empty> : null}
      {app.redirectUris.length > 0 ? (
        <ul className="cards" aria-label="Redirect URIs">
          {app.redirectUris.map((u) => (
            <li key={u} className="card-row">
              <code>{u}</code>
              {can("applications.write") ? (
                <button
                  type="button"
                  className="link"
                  aria-label={`Remove ${u}`}
                  onClick={() => {
                    setError(undefined);
                    setRemoving(u);
                  }}
                >
                  Remove
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {can("applications.write") ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <label htmlFor={`${id}-uri`}>Add a redirect URI</label>
          <div className="row">
            <input
              id={`${id}-uri`}
              type="text"
              inputMode="url"
              className="grow"
              placeholder="https://app.example.com/callback"
              value={uri}
              aria-invalid={(error && !removing) || undefined}
              aria-describedby={error && !removing ? `${id}-error` : undefined}
              onChange={(e) => setUri(e.target.value)}
            />
            <button type="submit" className="primary" disabled={!uri.trim() || busy}>
              Add
            </button>
          </div>
          {removing ? null : <ErrorText error={error} id={`${id}-error`} />}
        </form>
      ) : null}
      <p role="status" className="success">
        {status}
      </p>
      {removing ? (
        <Dialog
          title="Remove this redirect URI?"
          submitLabel="Remove"
          danger
          submitting={busy}
          onClose={() => setRemoving(undefined)}
          onSubmit={() => void remove()}
        >
          <p>
            Sign-ins that ask to come back to <code>{removing}</code> are refused from now on.
          </p>
          <ErrorText error={error} />
        </Dialog>
      ) : null}
    </section>
  );
}
