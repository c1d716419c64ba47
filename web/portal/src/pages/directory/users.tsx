import { type FormEvent, useId, useState } from "react";
import { api, asApiError, type PortalApiError, useApi } from "../../api/client.ts";
import { formErrors } from "../../api/form-errors.ts";
import { usePaged } from "../../api/paged.ts";
import { useCan } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { Link } from "../../components/link.tsx";
import { describe, Empty, ErrorText, FieldError, Loading } from "../../components/status.tsx";
import { navigate } from "../../router.ts";
import { EnabledBadge } from "./enabled-badge.tsx";
import type { DirectoryUser, VerifiedDomain } from "./types.ts";
import "./pages.css";

export { UserPage } from "./user.tsx";

/**
 * Directory > Users: the tenant's users by user principal name, searched by the start of a name
 * or of the user name (the search lives in the URL, so a result can be linked), 50 at a time.
 */
export function UsersPage(props: { base: string; search: string }) {
  const { base } = props;
  const can = useCan();
  const search = new URLSearchParams(props.search).get("search") ?? "";
  const query = new URLSearchParams({ top: "50" });
  if (search) query.set("search", search);
  const list = usePaged<DirectoryUser>(`/api/v1/users?${query}`);
  const [draft, setDraft] = useState(search);
  const [creating, setCreating] = useState(false);
  const id = useId();
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const q = draft.trim();
    navigate(`${base}/users${q ? `?${new URLSearchParams({ search: q })}` : ""}`);
  };
  return (
    <>
      <h1>Users</h1>
      {can("directory.write") ? (
        <div className="actions">
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New user
          </button>
        </div>
      ) : null}
      <form className="filters" onSubmit={apply} aria-label="Search users">
        <div>
          <label htmlFor={`${id}-search`}>Search by name or user name</label>
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
      {list.loading && !list.items ? <Loading what="users" /> : null}
      {list.items?.length === 0 ? (
        <Empty>{search ? `No users match "${search}".` : "There are no users yet."}</Empty>
      ) : null}
      {list.items && list.items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">Display name</th>
                <th scope="col">User principal name</th>
                <th scope="col">Sign-in</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((u) => (
                <tr key={u.id}>
                  <td>
                    <Link to={`${base}/users/${u.id}`}>{u.displayName}</Link>
                  </td>
                  <td className="wrap">{u.userPrincipalName}</td>
                  <td>
                    <EnabledBadge enabled={u.accountEnabled} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.hasMore ? (
        <button type="button" onClick={list.loadMore} disabled={list.loading}>
          {list.loading ? "Loading…" : "Load more"}
        </button>
      ) : null}
      {creating ? (
        <NewUserDialog
          onClose={() => setCreating(false)}
          onCreated={(u) => navigate(`${base}/users/${u.id}`)}
        />
      ) : null}
    </>
  );
}

const USER_FIELDS = {
  upn: { paths: ["userPrincipalName"], codes: /upn|domain|user_?principal/i },
  password: { paths: ["password"], codes: /password/i },
  displayName: { paths: ["displayName"], codes: /name/i },
};

/**
 * New user: display name, a user name in one of the tenant's verified domains (free-form when
 * the tenant has none yet) and the first password, which the user signs in with.
 */
function NewUserDialog(props: { onClose(): void; onCreated(user: DirectoryUser): void }) {
  const domains = useApi<{ value: VerifiedDomain[] }>("/api/v1/domains");
  const verified = domains.data?.value ?? [];
  const [draft, setDraft] = useState({ displayName: "", name: "", domain: "", password: "" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const id = useId();
  const domain = draft.domain || verified[0]?.domain || "";
  const upn = verified.length > 0 ? `${draft.name.trim()}@${domain}` : draft.name.trim();
  const errors = formErrors(error, USER_FIELDS);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const made = await api<DirectoryUser>("POST", "/api/v1/users", {
        displayName: draft.displayName.trim(),
        userPrincipalName: upn,
        password: draft.password,
      });
      props.onCreated(made);
    } catch (e) {
      setError(asApiError(e));
      setBusy(false);
    }
  };
  const set = (key: keyof typeof draft) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [key]: e.target.value });
  type Field = keyof typeof USER_FIELDS;
  const described = (f: Field, hint?: string) =>
    describe(errors.at(f), `${id}-${f}-error`, ...(hint ? [hint] : []));
  const here = (f: Field) => <FieldError id={`${id}-${f}-error`} message={errors.at(f)} />;
  return (
    <Dialog
      title="New user"
      submitLabel="Create"
      submitting={busy}
      onClose={props.onClose}
      onSubmit={() => void submit()}
    >
      <label htmlFor={`${id}-name`}>Display name</label>
      <input
        id={`${id}-name`}
        type="text"
        required
        maxLength={256}
        value={draft.displayName}
        onChange={set("displayName")}
        {...described("displayName")}
      />
      {here("displayName")}
      {verified.length > 0 ? (
        <fieldset>
          <legend>User principal name</legend>
          <div className="row upn">
            <div>
              <label htmlFor={`${id}-upn`}>User name</label>
              <input
                id={`${id}-upn`}
                type="text"
                required
                autoComplete="off"
                value={draft.name}
                onChange={set("name")}
                {...described("upn")}
              />
            </div>
            <span aria-hidden="true" className="at">
              @
            </span>
            <div>
              <label htmlFor={`${id}-domain`}>Domain</label>
              <select id={`${id}-domain`} value={domain} onChange={set("domain")}>
                {verified.map((d) => (
                  <option key={d.domain} value={d.domain}>
                    {d.domain}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {here("upn")}
        </fieldset>
      ) : (
        <>
          <label htmlFor={`${id}-upn`}>User principal name</label>
          <input
            id={`${id}-upn`}
            type="email"
            required
            autoComplete="off"
            placeholder="ada@contoso.com"
            value={draft.name}
            onChange={set("name")}
            {...described("upn", `${id}-upn-hint`)}
          />
          <p className="muted small hint" id={`${id}-upn-hint`}>
            {domains.loading
              ? "Loading the verified domains…"
              : "This organization has no verified domain yet: give the whole email-shaped name."}
          </p>
          {here("upn")}
        </>
      )}
      <label htmlFor={`${id}-password`}>Initial password</label>
      <input
        id={`${id}-password`}
        type="password"
        required
        autoComplete="new-password"
        maxLength={256}
        value={draft.password}
        onChange={set("password")}
        {...described("password", `${id}-password-hint`)}
      />
      <p className="muted small hint" id={`${id}-password-hint`}>
        Give it to the user in person: it is stored as a hash and never shown again.
      </p>
      {here("password")}
      <ErrorText error={errors.general ?? domains.error} />
    </Dialog>
  );
}
