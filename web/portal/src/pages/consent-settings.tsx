import { useEffect, useId, useState } from "react";
import { api, asApiError, type Page, type PortalApiError, useApi } from "../api/client.ts";
import {
  type AdminConsentPolicy,
  DIRECTORY_ROLES,
  type Group,
  type Reviewer,
  type User,
  type UserConsent,
} from "../api/types.ts";
import { useCan, useReadOnlyNote } from "../auth/capabilities.ts";
import { Dialog } from "../components/dialog.tsx";
import { EmailNotice } from "../components/email-notice.tsx";
import { Empty, ErrorText, Loading } from "../components/status.tsx";

/** Enterprise applications > Consent and permissions: user consent and admin consent settings. */
export function ConsentSettingsPage() {
  return (
    <>
      <h1>Consent and permissions</h1>
      <EmailNotice />
      <UserConsentSettings />
      <PermissionClassifications />
      <AdminConsentSettings />
    </>
  );
}

const USER_CONSENT: Array<[UserConsent, string, string]> = [
  ["disabled", "Do not allow user consent", "An administrator is required for all apps."],
  [
    "verified_publishers_low_impact",
    "Allow user consent for apps from verified publishers, for selected permissions (Recommended)",
    "Users can consent to permissions classified as low impact, for apps from verified publishers or apps registered in this organization.",
  ],
  [
    "all_apps",
    "Allow user consent for apps",
    "Users can consent to any app for permissions that do not need an administrator.",
  ],
];

function UserConsentSettings() {
  const policy = useApi<{ userConsent: UserConsent }>("/api/v1/policies/authorizationPolicy");
  const [choice, setChoice] = useState<UserConsent>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [saved, setSaved] = useState("");
  const hintId = useId();
  const can = useCan();
  const readOnly = useReadOnlyNote();
  const writable = can("consentPolicy.write");
  useEffect(() => {
    if (policy.data) setChoice(policy.data.userConsent);
  }, [policy.data]);
  const save = async () => {
    if (!choice) return;
    setSaving(true);
    setError(undefined);
    setSaved("");
    try {
      await api("PATCH", "/api/v1/policies/authorizationPolicy", { userConsent: choice });
      setSaved("User consent settings saved.");
      policy.reload();
    } catch (e) {
      setError(asApiError(e));
    }
    setSaving(false);
  };
  return (
    <section aria-labelledby="user-consent">
      <h2 id="user-consent">User consent settings</h2>
      <ErrorText error={policy.error} />
      {policy.loading && !policy.data ? <Loading what="user consent settings" /> : null}
      {choice ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          {writable ? null : <p className="muted">{readOnly("consentPolicy.write")}</p>}
          <fieldset disabled={!writable}>
            <legend>User consent for applications</legend>
            {USER_CONSENT.map(([value, label, hint]) => (
              <div key={value} className="option">
                <label className="check">
                  <input
                    type="radio"
                    name="userConsent"
                    value={value}
                    checked={choice === value}
                    aria-describedby={`${hintId}-${value}`}
                    onChange={() => setChoice(value)}
                  />
                  {label}
                </label>
                <p className="muted small hint" id={`${hintId}-${value}`}>
                  {hint}
                </p>
              </div>
            ))}
          </fieldset>
          <ErrorText error={error} />
          {writable ? (
            <div className="actions">
              <button type="submit" className="primary" disabled={saving}>
                {saving ? "Saving…" : "Save"}
              </button>
              <span role="status" className="success">
                {saved}
              </span>
            </div>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}

function AdminConsentSettings() {
  const policy = useApi<AdminConsentPolicy>("/api/v1/policies/adminConsentRequestPolicy");
  const users = useApi<Page<User>>("/api/v1/users?top=100");
  const groups = useApi<Page<Group>>("/api/v1/groups?top=100");
  const [draft, setDraft] = useState<AdminConsentPolicy>();
  const [pick, setPick] = useState("");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [saved, setSaved] = useState("");
  const ids = { enabled: useId(), pick: useId(), notify: useId(), remind: useId(), days: useId() };
  const can = useCan();
  const readOnly = useReadOnlyNote();
  const writable = can("consentRequestPolicy.write");
  useEffect(() => {
    if (policy.data) setDraft(policy.data);
  }, [policy.data]);

  const nameOf = (r: Reviewer) => {
    if (r.type === "role") return `${DIRECTORY_ROLES[r.id] ?? r.id} (role)`;
    if (r.type === "group")
      return `${groups.data?.value.find((g) => g.id === r.id)?.displayName ?? r.id} (group)`;
    const u = users.data?.value.find((x) => x.id === r.id);
    return u ? `${u.displayName} (${u.userPrincipalName})` : r.id;
  };
  const options: Array<[string, string]> = [
    ...(users.data?.value ?? []).map((u): [string, string] => [
      `user:${u.id}`,
      `User: ${u.displayName} (${u.userPrincipalName})`,
    ]),
    ...(groups.data?.value ?? []).map((g): [string, string] => [
      `group:${g.id}`,
      `Group: ${g.displayName}`,
    ]),
    ...Object.entries(DIRECTORY_ROLES).map(([key, name]): [string, string] => [
      `role:${key}`,
      `Role: ${name}`,
    ]),
  ];

  const save = async () => {
    if (!draft) return;
    setSaving(true);
    setError(undefined);
    setSaved("");
    try {
      await api("PUT", "/api/v1/policies/adminConsentRequestPolicy", draft);
      setSaved("Admin consent settings saved.");
      policy.reload();
    } catch (e) {
      setError(asApiError(e));
    }
    setSaving(false);
  };
  const addReviewer = () => {
    if (!draft || !pick) return;
    const [type, id] = pick.split(":") as [Reviewer["type"], string];
    if (!draft.reviewers.some((r) => r.type === type && r.id === id))
      setDraft({ ...draft, reviewers: [...draft.reviewers, { type, id }] });
    setPick("");
  };
  return (
    <section aria-labelledby="admin-consent">
      <h2 id="admin-consent">Admin consent settings</h2>
      <ErrorText error={policy.error} />
      {policy.loading && !policy.data ? <Loading what="admin consent settings" /> : null}
      {draft ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          {writable ? null : <p className="muted">{readOnly("consentRequestPolicy.write")}</p>}
          <fieldset className="plain" disabled={!writable}>
            <legend className="visually-hidden">Admin consent request settings</legend>
            <label className="check" htmlFor={ids.enabled}>
              <input
                id={ids.enabled}
                type="checkbox"
                checked={draft.isEnabled}
                onChange={(e) => setDraft({ ...draft, isEnabled: e.target.checked })}
              />
              Users can request admin consent to apps they are unable to consent to
            </label>
            <fieldset>
              <legend>Who can review admin consent requests</legend>
              {draft.reviewers.length === 0 ? (
                <p className="muted">No reviewers: Global Administrators review requests.</p>
              ) : (
                <ul className="plain">
                  {draft.reviewers.map((r) => (
                    <li key={`${r.type}:${r.id}`}>
                      {nameOf(r)}{" "}
                      <button
                        type="button"
                        className="link"
                        aria-label={`Remove reviewer ${nameOf(r)}`}
                        onClick={() =>
                          setDraft({ ...draft, reviewers: draft.reviewers.filter((x) => x !== r) })
                        }
                      >
                        Remove
                      </button>
                    </li>
                  ))}
                </ul>
              )}
              <label htmlFor={ids.pick}>Add a user, group or role</label>
              <div className="row">
                <select id={ids.pick} value={pick} onChange={(e) => setPick(e.target.value)}>
                  <option value="">Choose…</option>
                  {options.map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
                <button type="button" onClick={addReviewer} disabled={!pick}>
                  Add reviewer
                </button>
              </div>
              <ErrorText error={users.error ?? groups.error} />
            </fieldset>
            <label className="check" htmlFor={ids.notify}>
              <input
                id={ids.notify}
                type="checkbox"
                checked={draft.notifyReviewers}
                onChange={(e) => setDraft({ ...draft, notifyReviewers: e.target.checked })}
              />
              Reviewers receive email notifications for requests
            </label>
            <label className="check" htmlFor={ids.remind}>
              <input
                id={ids.remind}
                type="checkbox"
                checked={draft.remindersEnabled}
                onChange={(e) => setDraft({ ...draft, remindersEnabled: e.target.checked })}
              />
              Reviewers receive request expiration reminders
            </label>
            <label htmlFor={ids.days}>Consent request expires after (days, 1 to 30)</label>
            <input
              id={ids.days}
              type="number"
              min={1}
              max={30}
              value={draft.requestDurationInDays}
              onChange={(e) =>
                setDraft({ ...draft, requestDurationInDays: Number(e.target.value) })
              }
            />
          </fieldset>
          <ErrorText error={error} />
          {writable ? (
            <div className="actions">
              <button type="submit" className="primary" disabled={saving}>
                {saving ? "Saving…" : "Save"}
              </button>
              <span role="status" className="success">
                {saved}
              </span>
            </div>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}

interface Classification {
  resourceAppId: string;
  resourceDisplayName: string;
  permissionName: string;
  classification: "low" | "medium" | "high";
  source: "tenant" | "default";
}

const CLASSIFICATION_LABEL = { low: "Low impact", medium: "Medium", high: "High" } as const;

/**
 * Permission classifications: which delegated permissions count as low impact (what users may
 * consent to under the recommended setting). Built-in defaults are listed and cannot be removed;
 * the tenant's own are removed after a confirmation.
 */
function PermissionClassifications() {
  const list = useApi<{ value: Classification[] }>("/api/v1/policies/permissionClassifications");
  const can = useCan();
  const readOnly = useReadOnlyNote();
  const writable = can("permissionClassifications.write");
  const [resource, setResource] = useState("api://assent-mail");
  const [name, setName] = useState("");
  const [level, setLevel] = useState<Classification["classification"]>("low");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [done, setDone] = useState("");
  const [removing, setRemoving] = useState<Classification>();
  const ids = { resource: useId(), name: useId(), level: useId() };
  const add = async () => {
    setBusy(true);
    setError(undefined);
    setDone("");
    try {
      const made = await api<Classification>("POST", "/api/v1/policies/permissionClassifications", {
        resource: resource.trim(),
        permissionName: name.trim(),
        classification: level,
      });
      setDone(`${made.permissionName} is classified ${CLASSIFICATION_LABEL[made.classification]}.`);
      setName("");
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
      await api(
        "DELETE",
        `/api/v1/policies/permissionClassifications/${encodeURIComponent(removing.resourceAppId)}/${encodeURIComponent(removing.permissionName)}`,
      );
      setDone(`${removing.permissionName} is no longer classified.`);
      setRemoving(undefined);
      list.reload();
    } catch (e) {
      setError(asApiError(e));
      setRemoving(undefined);
    }
    setBusy(false);
  };
  const rows = list.data?.value ?? [];
  return (
    <section aria-labelledby="classifications">
      <h2 id="classifications">Permission classifications</h2>
      <p className="muted">
        Users may consent to low-impact permissions when user consent allows “selected permissions”;
        admin consent requests show each permission’s classification.
      </p>
      <ErrorText error={list.error} />
      {list.loading && !list.data ? <Loading what="permission classifications" /> : null}
      {list.data && rows.length === 0 ? <Empty>No permission is classified.</Empty> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Classified permissions</caption>
            <thead>
              <tr>
                <th scope="col">Permission</th>
                <th scope="col">API</th>
                <th scope="col">Classification</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={`${c.resourceAppId} ${c.permissionName}`}>
                  <th scope="row">{c.permissionName}</th>
                  <td>{c.resourceDisplayName}</td>
                  <td>{CLASSIFICATION_LABEL[c.classification]}</td>
                  <td>
                    {c.source === "default" ? (
                      <span className="muted small">Built in</span>
                    ) : writable ? (
                      <button
                        type="button"
                        className="link"
                        aria-label={`Remove the classification of ${c.permissionName}`}
                        onClick={() => setRemoving(c)}
                      >
                        Remove
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {writable ? (
        <form
          className="filters"
          aria-label="Classify a permission"
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <div>
            <label htmlFor={ids.resource}>API (Application ID URI or app id)</label>
            <input
              id={ids.resource}
              required
              value={resource}
              onChange={(e) => setResource(e.target.value)}
            />
          </div>
          <div>
            <label htmlFor={ids.name}>Permission (e.g. Mail.ReadBasic)</label>
            <input id={ids.name} required value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div>
            <label htmlFor={ids.level}>Classification</label>
            <select
              id={ids.level}
              value={level}
              onChange={(e) => setLevel(e.target.value as Classification["classification"])}
            >
              {Object.entries(CLASSIFICATION_LABEL).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Classify
            </button>
          </div>
        </form>
      ) : (
        <p className="muted">{readOnly("permissionClassifications.write")}</p>
      )}
      <ErrorText error={error} />
      <p role="status" className="success">
        {done}
      </p>
      {removing ? (
        <Dialog
          title={`Remove the classification of ${removing.permissionName}?`}
          onClose={() => setRemoving(undefined)}
          onSubmit={() => void remove()}
          submitLabel="Remove"
          submitting={busy}
          danger
        >
          <p>
            {removing.permissionName} ({removing.resourceDisplayName}) will be unclassified: under
            the recommended user consent setting, users can no longer consent to it on their own.
          </p>
        </Dialog>
      ) : null}
    </section>
  );
}
