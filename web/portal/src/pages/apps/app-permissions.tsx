import { useId, useState } from "react";
import { api, asApiError, type PortalApiError, useApi } from "../../api/client.ts";
import type { PermissionGrant, ServicePrincipal } from "../../api/types.ts";
import { useCan, useReadOnlyNote } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { Empty, ErrorText, Loading, When } from "../../components/status.tsx";

/** To whom a grant applies, in words. */
export function grantAudience(g: PermissionGrant): string {
  if (g.consentType === "AllPrincipals") return "Everyone in the organization (admin consent)";
  if (g.consentType === "Principal")
    return g.principal
      ? `${g.principal.displayName} (${g.principal.userPrincipalName})`
      : "One user (deleted)";
  return `Groups: ${g.groups.map((x) => x.displayName ?? `${x.id} (deleted)`).join(", ")}`;
}

function grantedByText(g: PermissionGrant): string {
  const by = g.grantedBy;
  if (!by) return "—";
  return by.displayName ?? by.userPrincipalName ?? by.name ?? by.id ?? by.type;
}

/** The app's Permissions tab: its delegated grants (what, to whom, by whom, when, until when). */
export function AppPermissions(props: { sp: ServicePrincipal }) {
  const { sp } = props;
  const list = useApi<{ value: PermissionGrant[] }>(
    `/api/v1/servicePrincipals/${sp.id}/oauth2PermissionGrants`,
  );
  const [revoking, setRevoking] = useState<PermissionGrant>();
  const can = useCan();
  const readOnly = useReadOnlyNote();
  const writable = can("grants.write");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [status, setStatus] = useState("");
  const id = useId();
  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    setError(undefined);
    try {
      await api("DELETE", `/api/v1/oauth2PermissionGrants/${revoking.id}`);
      setStatus(`Revoked ${revoking.resourceDisplayName}: ${revoking.scope}.`);
      setRevoking(undefined);
      list.reload();
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Delegated permissions granted</h2>
      <p role="status" className="success">
        {status}
      </p>
      <ErrorText error={list.error} />
      {list.loading && !list.data ? <Loading what="permissions" /> : null}
      {list.data?.value.length === 0 ? (
        <Empty>No delegated permissions are granted to this app.</Empty>
      ) : null}
      {list.data && list.data.value.length > 0 ? (
        <div className="table-wrap">
          {writable ? null : <p className="muted">{readOnly("grants.write")}</p>}
          <table>
            <caption className="visually-hidden">Delegated permission grants</caption>
            <thead>
              <tr>
                <th scope="col">API</th>
                <th scope="col">Permissions</th>
                <th scope="col">Granted to</th>
                <th scope="col">Granted by</th>
                <th scope="col">Granted</th>
                <th scope="col">Until</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.value.map((g) => (
                <tr key={g.id}>
                  <td>{g.resourceDisplayName}</td>
                  <td>{g.scope}</td>
                  <td>{grantAudience(g)}</td>
                  <td>{grantedByText(g)}</td>
                  <td>
                    <When at={g.createdDateTime} />
                  </td>
                  <td>{g.expiryDateTime ? <When at={g.expiryDateTime} /> : "No end date"}</td>
                  <td>
                    {writable ? (
                      <button
                        type="button"
                        className="link"
                        aria-label={`Revoke ${g.resourceDisplayName} permissions for ${grantAudience(g)}`}
                        onClick={() => {
                          setError(undefined);
                          setRevoking(g);
                        }}
                      >
                        Revoke
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {revoking ? (
        <Dialog
          title={`Revoke ${revoking.resourceDisplayName} permissions?`}
          submitLabel="Revoke"
          danger
          submitting={busy}
          onClose={() => setRevoking(undefined)}
          onSubmit={() => void revoke()}
        >
          <p>
            {sp.displayName} loses {revoking.scope} for {grantAudience(revoking)}. Users may be
            asked to consent again.
          </p>
          <ErrorText error={error} />
        </Dialog>
      ) : null}
    </section>
  );
}
