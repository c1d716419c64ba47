import { useId, useState } from "react";
import { api, asApiError, type PortalApiError, useApi } from "../../api/client.ts";
import { useCan } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { Link } from "../../components/link.tsx";
import { ErrorText, Loading, When } from "../../components/status.tsx";
import { navigate } from "../../router.ts";
import { EnabledBadge } from "./enabled-badge.tsx";
import { OneTimeValue, temporaryPassword } from "./one-time-value.tsx";
import type { DirectoryUser } from "./types.ts";
import { UserMemberships } from "./user-memberships.tsx";
import { UserRoles } from "./user-roles.tsx";

/**
 * One user: properties, sign-in on or off, a password reset (the temporary password shown
 * once), group memberships, directory roles, and deletion.
 */
export function UserPage(props: { base: string; id: string }) {
  const { base, id } = props;
  const can = useCan();
  const path = `/api/v1/users/${encodeURIComponent(id)}`;
  const user = useApi<DirectoryUser>(path);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [status, setStatus] = useState("");
  const [dialog, setDialog] = useState<"reset" | "delete" | "disable">();
  const [password, setPassword] = useState<string>();
  const hid = useId();
  const u = user.data;

  const run = async (work: () => Promise<string>, keepOpen = false) => {
    setBusy(true);
    setError(undefined);
    setStatus("");
    try {
      setStatus(await work());
      if (!keepOpen) setDialog(undefined);
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };
  const setEnabled = (accountEnabled: boolean) =>
    run(async () => {
      await api("PATCH", path, { accountEnabled });
      user.reload();
      return accountEnabled
        ? "Sign-in enabled: the user can sign in again."
        : "Sign-in disabled: the user's sessions and refresh tokens stop working.";
    });
  const reset = () =>
    run(async () => {
      const next = temporaryPassword();
      await api("POST", `${path}/password`, { password: next });
      setPassword(next);
      return "Password reset.";
    }, true);
  const remove = () =>
    run(async () => {
      await api("DELETE", path);
      navigate(`${base}/users`);
      return "";
    });
  const open = (d: typeof dialog) => {
    setError(undefined);
    setDialog(d);
  };

  return (
    <>
      <p className="crumbs">
        <Link to={`${base}/users`}>Users</Link>
      </p>
      <ErrorText error={user.error} />
      {user.loading && !u ? <Loading what="the user" /> : null}
      {u ? (
        <>
          <h1>{u.displayName}</h1>
          <section aria-labelledby={`${hid}-props`}>
            <h2 id={`${hid}-props`}>Properties</h2>
            <dl className="facts">
              <dt>User principal name</dt>
              <dd>{u.userPrincipalName}</dd>
              <dt>Object id</dt>
              <dd>{u.id}</dd>
              <dt>Sign-in</dt>
              <dd>
                <EnabledBadge enabled={u.accountEnabled} />
              </dd>
              <dt>Password</dt>
              <dd>{u.passwordSet ? "Set" : "Not set: the user cannot sign in with a password"}</dd>
              <dt>Created</dt>
              <dd>
                <When at={u.createdDateTime} />
              </dd>
              <dt>Last changed</dt>
              <dd>
                <When at={u.lastModifiedDateTime} />
              </dd>
            </dl>
            {can("directory.write") ? (
              <div className="actions">
                {u.accountEnabled ? (
                  <button type="button" onClick={() => open("disable")}>
                    Disable sign-in
                  </button>
                ) : (
                  <button type="button" disabled={busy} onClick={() => void setEnabled(true)}>
                    Enable sign-in
                  </button>
                )}
                <button
                  type="button"
                  onClick={() => {
                    setPassword(undefined);
                    open("reset");
                  }}
                >
                  Reset password
                </button>
                <button type="button" className="danger" onClick={() => open("delete")}>
                  Delete user
                </button>
              </div>
            ) : null}
            {dialog ? null : <ErrorText error={error} />}
            <p role="status" className="success">
              {status}
            </p>
          </section>
          <UserMemberships base={base} user={u} />
          <UserRoles user={u} />
        </>
      ) : null}
      {u && dialog === "disable" ? (
        <Dialog
          title={`Disable sign-in for ${u.displayName}?`}
          submitLabel="Disable sign-in"
          danger
          submitting={busy}
          onClose={() => setDialog(undefined)}
          onSubmit={() => void setEnabled(false)}
        >
          <p>
            {u.displayName} is signed out everywhere at once: sessions and refresh tokens stop
            working, and new sign-ins are refused until sign-in is enabled again.
          </p>
          <ErrorText error={error} />
        </Dialog>
      ) : null}
      {u && dialog === "reset" ? (
        password ? (
          <Dialog
            title={`New password for ${u.displayName}`}
            submitLabel="Done"
            submitting={false}
            onClose={() => setDialog(undefined)}
            onSubmit={() => setDialog(undefined)}
          >
            <OneTimeValue
              label="Temporary password"
              value={password}
              warning="It is not stored in words anywhere and cannot be shown again. Give it to the user in person."
            />
          </Dialog>
        ) : (
          <Dialog
            title={`Reset the password of ${u.displayName}?`}
            submitLabel="Reset password"
            submitting={busy}
            onClose={() => setDialog(undefined)}
            onSubmit={() => void reset()}
          >
            <p>
              A new temporary password replaces the current one at once; it is shown once, on the
              next screen.
            </p>
            <ErrorText error={error} />
          </Dialog>
        )
      ) : null}
      {u && dialog === "delete" ? (
        <Dialog
          title={`Delete ${u.displayName}?`}
          submitLabel="Delete user"
          danger
          submitting={busy}
          onClose={() => setDialog(undefined)}
          onSubmit={() => void remove()}
        >
          <p>
            {u.userPrincipalName} is deleted for good, with their group memberships, directory
            roles, app assignments and consents. To keep the account, disable sign-in instead.
          </p>
          <ErrorText error={error} />
        </Dialog>
      ) : null}
    </>
  );
}
