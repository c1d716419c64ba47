import { useId, useState } from "react";
import { api, asApiError, type PortalApiError } from "../../api/client.ts";
import type { ServicePrincipal } from "../../api/types.ts";
import { useCan, useReadOnlyNote } from "../../auth/capabilities.ts";
import { ErrorText } from "../../components/status.tsx";

type Draft = Pick<
  ServicePrincipal,
  "accountEnabled" | "appRoleAssignmentRequired" | "visibleToUsers" | "notes"
>;

const SWITCHES: Array<[keyof Omit<Draft, "notes">, string, string]> = [
  [
    "accountEnabled",
    "Enabled for users to sign in",
    "When off, no user can sign in to the app and its tokens stop refreshing.",
  ],
  [
    "appRoleAssignmentRequired",
    "Assignment required",
    "When on, only users assigned on Users and groups (directly or through a group) can sign in.",
  ],
  ["visibleToUsers", "Visible to users", "When on, assigned users see the app in My apps."],
];

/** The app's Properties tab: the three switches and notes, saved with one PATCH. */
export function AppProperties(props: { sp: ServicePrincipal; onSaved(): void }) {
  const { sp } = props;
  const [draft, setDraft] = useState<Draft>({
    accountEnabled: sp.accountEnabled,
    appRoleAssignmentRequired: sp.appRoleAssignmentRequired,
    visibleToUsers: sp.visibleToUsers,
    notes: sp.notes,
  });
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [saved, setSaved] = useState("");
  const id = useId();
  const can = useCan();
  const readOnly = useReadOnlyNote();
  const writable = can("applications.write");
  const save = async () => {
    setSaving(true);
    setError(undefined);
    setSaved("");
    try {
      const notes = draft.notes?.trim() ? draft.notes : null;
      await api("PATCH", `/api/v1/servicePrincipals/${sp.id}`, { ...draft, notes });
      setSaved("Properties saved.");
      props.onSaved();
    } catch (e) {
      setError(asApiError(e));
    }
    setSaving(false);
  };
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Properties</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {writable ? null : <p className="muted">{readOnly("applications.write")}</p>}
        <fieldset className="plain" disabled={!writable}>
          <legend className="visually-hidden">Properties</legend>
          {SWITCHES.map(([key, label, hint]) => (
            <div key={key} className="option">
              <label className="check" htmlFor={`${id}-${key}`}>
                <input
                  id={`${id}-${key}`}
                  type="checkbox"
                  checked={draft[key]}
                  aria-describedby={`${id}-${key}-hint`}
                  onChange={(e) => setDraft({ ...draft, [key]: e.target.checked })}
                />
                {label}
              </label>
              <p className="muted small hint" id={`${id}-${key}-hint`}>
                {hint}
              </p>
            </div>
          ))}
          <label htmlFor={`${id}-notes`}>Notes</label>
          <textarea
            id={`${id}-notes`}
            maxLength={1024}
            value={draft.notes ?? ""}
            onChange={(e) => setDraft({ ...draft, notes: e.target.value })}
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
    </section>
  );
}
