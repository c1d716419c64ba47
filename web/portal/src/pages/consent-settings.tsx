import { useEffect, useId, useState } from "react";
import { api, asApiError, type PortalApiError, useApi } from "../api/client.ts";
import { formErrors } from "../api/form-errors.ts";
import type { AdminConsentPolicy, UserConsent } from "../api/types.ts";
import { useCan, useReadOnlyNote } from "../auth/capabilities.ts";
import { Dialog } from "../components/dialog.tsx";
import { EmailNotice } from "../components/email-notice.tsx";
import { describe, Empty, ErrorText, FieldError, Loading } from "../components/status.tsx";
import { ReviewerPicker } from "./consent-reviewers.tsx";

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
  const [draft, setDraft] = useState<AdminConsentPolicy>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [saved, setSaved] = useState("");
  const ids = { enabled: useId(), notify: useId(), remind: useId(), days: useId() };
  const can = useCan();
  const readOnly = useReadOnlyNote();
  const writable = can("consentRequestPolicy.write");
  useEffect(() => {
    if (policy.data) setDraft(policy.data);
  }, [policy.data]);
  const errors = formErrors(error, {
    reviewers: { paths: ["reviewers"], codes: /reviewer|unknown_(user|group|role)/ },
    requestDurationInDays: { paths: ["requestDurationInDays"], codes: /duration/ },
  });

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
            <ReviewerPicker
              reviewers={draft.reviewers}
              onChange={(reviewers) => setDraft({ ...draft, reviewers })}
              disabled={!writable}
              error={errors.at("reviewers")}
            />
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
              {...describe(errors.at("requestDurationInDays"), `${ids.days}-error`)}
              onChange={(e) =>
                setDraft({ ...draft, requestDurationInDays: Number(e.target.value) })
              }
            />
            <FieldError id={`${ids.days}-error`} message={errors.at("requestDurationInDays")} />
          </fieldset>
          <ErrorText error={errors.general} />
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
