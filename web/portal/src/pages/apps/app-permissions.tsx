import { useEffect, useId, useState } from "react";
import { api, asApiError, type PortalApiError, useApi } from "../../api/client.ts";
import type { PermissionGrant, ServicePrincipal } from "../../api/types.ts";
import { useCan, useMe, useReadOnlyNote } from "../../auth/capabilities.ts";
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

// Where the admin consent flow's `state` waits for the way back (one tab, one flow at a time).
const CONSENT_STATE_KEY = "assent.portal.adminConsentState";

/**
 * What the admin consent flow asks for: the OpenID Connect scopes and every Assent Mail
 * permission the app requires (`/.default`), as Entra's button grants the app's configured
 * permissions.
 */
const ADMIN_CONSENT_SCOPE = "openid profile email offline_access api://assent-mail/.default";

/**
 * "Grant admin consent for {organization}": the organization's admin consent endpoint for this
 * app (`/{tenant}/v2.0/adminconsent`), which comes back to this tab (a page of the tenant's
 * own portal is a redirect URI it accepts for any app). The random `state` makes sure the
 * answer read on the way back is the one this tab asked for.
 */
function adminConsentUrl(tenantId: string, sp: ServicePrincipal, state: string): string {
  const tenant = encodeURIComponent(tenantId);
  const back = `${location.origin}/${tenant}/portal/enterprise-apps/${encodeURIComponent(sp.id)}/permissions`;
  const query = new URLSearchParams({
    client_id: sp.appId,
    scope: ADMIN_CONSENT_SCOPE,
    redirect_uri: back,
    state,
  });
  return `${location.origin}/${tenant}/v2.0/adminconsent?${query}`;
}

/**
 * The answer of the admin consent flow in this page's query, if it is the one this tab asked
 * for (then the query is cleared, so a reload does not say it again).
 */
function useAdminConsentOutcome(): { granted: boolean; error?: string } | undefined {
  const [outcome, setOutcome] = useState<{ granted: boolean; error?: string }>();
  useEffect(() => {
    const q = new URLSearchParams(location.search);
    const state = q.get("state");
    if (!state) return;
    const expected = sessionStorage.getItem(CONSENT_STATE_KEY);
    sessionStorage.removeItem(CONSENT_STATE_KEY);
    history.replaceState(null, "", location.pathname);
    if (state !== expected) return;
    if (q.get("admin_consent") === "True") setOutcome({ granted: true });
    else if (q.get("error"))
      setOutcome({
        granted: false,
        error: q.get("error_description") ?? q.get("error") ?? "Admin consent was not granted.",
      });
  }, []);
  return outcome;
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
  const organization = useMe().me?.organization;
  const consent = useAdminConsentOutcome();
  const grantForOrganization = () => {
    if (!organization) return;
    const state = crypto.randomUUID();
    sessionStorage.setItem(CONSENT_STATE_KEY, state);
    location.assign(adminConsentUrl(organization.id, sp, state));
  };
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
      {writable && organization ? (
        <div className="actions">
          <button type="button" onClick={grantForOrganization}>
            Grant admin consent for {organization.displayName}
          </button>
        </div>
      ) : null}
      <p role="status" className="success">
        {status ||
          (consent?.granted
            ? `Admin consent granted: ${sp.displayName} has its permissions for everyone in the organization.`
            : "")}
      </p>
      {consent?.error ? (
        <p className="error" role="alert">
          {consent.error}
        </p>
      ) : null}
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
