import { type FormEvent, useId, useState } from "react";
import { api, asApiError, type PortalApiError, useApi } from "../../api/client.ts";
import { formErrors } from "../../api/form-errors.ts";
import { useCan } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { Link } from "../../components/link.tsx";
import { describe, Empty, ErrorText, FieldError, Loading, When } from "../../components/status.tsx";
import { navigate } from "../../router.ts";
import { type Application, AUDIENCES, type SignInAudience } from "./types.ts";
import "../directory/pages.css";

export { AppRegistrationPage } from "./app-registration.tsx";

/**
 * App registrations: the applications this organization publishes (as opposed to Enterprise
 * applications, the ones it uses), searched by the start of a name or by exact app id.
 */
export function AppRegistrationsPage(props: { base: string; search: string }) {
  const { base } = props;
  const can = useCan();
  const search = new URLSearchParams(props.search).get("search") ?? "";
  const list = useApi<{ value: Application[] }>(
    `/api/v1/applications${search ? `?${new URLSearchParams({ search })}` : ""}`,
  );
  const [draft, setDraft] = useState(search);
  const [creating, setCreating] = useState(false);
  const id = useId();
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const q = draft.trim();
    navigate(`${base}/app-registrations${q ? `?${new URLSearchParams({ search: q })}` : ""}`);
  };
  const items = list.data?.value;
  return (
    <>
      <h1>App registrations</h1>
      <p className="muted">
        Applications this organization publishes. Apps it uses, from here or elsewhere, are under
        Enterprise applications.
      </p>
      {can("applications.write") ? (
        <div className="actions">
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New registration
          </button>
        </div>
      ) : null}
      <form className="filters" onSubmit={apply} aria-label="Search app registrations">
        <div>
          <label htmlFor={`${id}-search`}>Search by name or app id</label>
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
      {list.loading && !items ? <Loading what="app registrations" /> : null}
      {items?.length === 0 ? (
        <Empty>
          {search
            ? `No app registrations match "${search}".`
            : "This organization has not registered any application yet."}
        </Empty>
      ) : null}
      {items && items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">App registrations</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Application (client) id</th>
                <th scope="col">Supported accounts</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link to={`${base}/app-registrations/${a.id}`}>{a.displayName}</Link>
                  </td>
                  <td className="small wrap">{a.appId}</td>
                  <td>{a.signInAudience === "AzureADMyOrg" ? "Single tenant" : "Multi-tenant"}</td>
                  <td>
                    <When at={a.createdDateTime} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {creating ? (
        <NewRegistrationDialog
          onClose={() => setCreating(false)}
          onCreated={(a) => navigate(`${base}/app-registrations/${a.id}`)}
        />
      ) : null}
    </>
  );
}

function NewRegistrationDialog(props: { onClose(): void; onCreated(app: Application): void }) {
  const [draft, setDraft] = useState({
    displayName: "",
    signInAudience: "AzureADMyOrg" as SignInAudience,
    redirectUri: "",
    isPublicClient: false,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const id = useId();
  const errors = formErrors(error, {
    redirectUri: { paths: ["redirectUris"], codes: /redirect_uri/ },
    displayName: { paths: ["displayName"], codes: /name/ },
    signInAudience: { paths: ["signInAudience"] },
    isPublicClient: { paths: ["isPublicClient"] },
  });
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const uri = draft.redirectUri.trim();
      props.onCreated(
        await api<Application>("POST", "/api/v1/applications", {
          displayName: draft.displayName.trim(),
          signInAudience: draft.signInAudience,
          isPublicClient: draft.isPublicClient,
          ...(uri ? { redirectUris: [uri] } : {}),
        }),
      );
    } catch (e) {
      setError(asApiError(e));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Register an application"
      submitLabel="Register"
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
        onChange={(e) => setDraft({ ...draft, displayName: e.target.value })}
        {...describe(errors.at("displayName"), `${id}-name-error`)}
      />
      <FieldError id={`${id}-name-error`} message={errors.at("displayName")} />
      <fieldset>
        <legend>Who can use this application</legend>
        {(Object.keys(AUDIENCES) as SignInAudience[]).map((a) => (
          <label key={a} className="check">
            <input
              type="radio"
              name={`${id}-audience`}
              value={a}
              checked={draft.signInAudience === a}
              onChange={() => setDraft({ ...draft, signInAudience: a })}
            />
            {AUDIENCES[a]}
          </label>
        ))}
        <FieldError id={`${id}-audience-error`} message={errors.at("signInAudience")} />
      </fieldset>
      <label htmlFor={`${id}-uri`}>Redirect URI (optional)</label>
      <input
        id={`${id}-uri`}
        type="text"
        inputMode="url"
        placeholder="https://app.example.com/callback"
        value={draft.redirectUri}
        onChange={(e) => setDraft({ ...draft, redirectUri: e.target.value })}
        {...describe(errors.at("redirectUri"), `${id}-uri-error`)}
      />
      <FieldError id={`${id}-uri-error`} message={errors.at("redirectUri")} />
      <label className="check">
        <input
          type="checkbox"
          checked={draft.isPublicClient}
          onChange={(e) => setDraft({ ...draft, isPublicClient: e.target.checked })}
        />
        Public client (a single-page or native app: no secret, PKCE required)
      </label>
      <FieldError id={`${id}-public-error`} message={errors.at("isPublicClient")} />
      <ErrorText error={errors.general} />
    </Dialog>
  );
}
