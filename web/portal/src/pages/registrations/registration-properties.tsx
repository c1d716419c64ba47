import { useEffect, useId, useState } from "react";
import { api, asApiError, type PortalApiError } from "../../api/client.ts";
import { type FieldRule, formErrors } from "../../api/form-errors.ts";
import { useCan, useReadOnlyNote } from "../../auth/capabilities.ts";
import { describe, ErrorText, FieldError } from "../../components/status.tsx";
import type { Application } from "./types.ts";

/** What PATCH /api/v1/applications/{id} changes, in the order the form shows it. */
type Property =
  | "displayName"
  | "homepageUrl"
  | "logoUrl"
  | "termsUrl"
  | "privacyUrl"
  | "publisherDisplayName";

type Draft = Record<Property, string>;

const FIELDS: Array<{ key: Property; label: string; hint: string; url: boolean }> = [
  { key: "displayName", label: "Name", hint: "Shown on sign-in and consent screens.", url: false },
  {
    key: "homepageUrl",
    label: "Home page URL",
    hint: "http or https; leave empty for none.",
    url: true,
  },
  {
    key: "logoUrl",
    label: "Logo URL",
    hint: "https only: the consent screen shows the image.",
    url: true,
  },
  {
    key: "termsUrl",
    label: "Terms of service URL",
    hint: "Linked from the consent screen.",
    url: true,
  },
  {
    key: "privacyUrl",
    label: "Privacy statement URL",
    hint: "Linked from the consent screen.",
    url: true,
  },
  {
    key: "publisherDisplayName",
    label: "Publisher name",
    hint: "Who users are told publishes the app.",
    url: false,
  },
];

const RULES = {
  displayName: { paths: ["displayName"], codes: /invalid_name/ },
  homepageUrl: { paths: ["homepageUrl"] },
  logoUrl: { paths: ["logoUrl"] },
  termsUrl: { paths: ["termsUrl"] },
  privacyUrl: { paths: ["privacyUrl"] },
  publisherDisplayName: { paths: ["publisherDisplayName"], codes: /invalid_publisher/ },
} satisfies Record<Property, FieldRule>;

function draftOf(app: Application): Draft {
  return {
    displayName: app.displayName,
    homepageUrl: app.homepageUrl ?? "",
    logoUrl: app.logoUrl ?? "",
    termsUrl: app.termsUrl ?? "",
    privacyUrl: app.privacyUrl ?? "",
    publisherDisplayName: app.publisherDisplayName ?? "",
  };
}

/**
 * The changed properties as a PATCH body: only what differs from the saved app, an emptied URL
 * or publisher name as null (cleared), the name as typed (the API trims and checks it).
 */
function patchOf(app: Application, draft: Draft): Partial<Record<Property, string | null>> {
  const saved = draftOf(app);
  const patch: Partial<Record<Property, string | null>> = {};
  for (const { key } of FIELDS) {
    const value = draft[key].trim();
    if (value === saved[key].trim()) continue;
    patch[key] = key === "displayName" || value !== "" ? value : null;
  }
  return patch;
}

/**
 * Branding & properties: the name, the URLs the consent screen links to and the publisher name,
 * edited together and saved with one PATCH (or put back with Discard). The API's refusal of a
 * value is shown under that field and nothing is saved. Read-only without applications.write.
 */
export function RegistrationProperties(props: { app: Application; onSaved(): void }) {
  const { app } = props;
  const can = useCan();
  const readOnly = useReadOnlyNote();
  const writable = can("applications.write");
  const [draft, setDraft] = useState<Draft>(() => draftOf(app));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const [status, setStatus] = useState("");
  const id = useId();
  // Saved values that changed (this form's save, or another administrator's) become the new
  // starting point; a reload for another section's change keeps the edits in progress.
  const saved = JSON.stringify(draftOf(app));
  // biome-ignore lint/correctness/useExhaustiveDependencies: `saved` stands for app's properties
  useEffect(() => {
    setDraft(draftOf(app));
  }, [saved]);
  const patch = patchOf(app, draft);
  const changed = Object.keys(patch).length > 0;
  const errors = formErrors(error, RULES);
  const save = async () => {
    if (!changed) return;
    setBusy(true);
    setError(undefined);
    setStatus("");
    try {
      await api<Application>("PATCH", `/api/v1/applications/${encodeURIComponent(app.id)}`, patch);
      setStatus("Properties saved.");
      props.onSaved();
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };
  const discard = () => {
    setDraft(draftOf(app));
    setError(undefined);
    setStatus("Changes discarded.");
  };
  return (
    <section aria-labelledby="branding">
      <h2 id="branding">Branding & properties</h2>
      {writable ? null : <p className="muted">{readOnly("applications.write")}</p>}
      <form
        className="properties"
        aria-labelledby="branding"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <fieldset className="plain" disabled={!writable}>
          <legend className="visually-hidden">Branding & properties</legend>
          {FIELDS.map(({ key, label, hint, url }) => (
            <div key={key}>
              <label htmlFor={`${id}-${key}`}>{label}</label>
              <input
                id={`${id}-${key}`}
                type="text"
                inputMode={url ? "url" : undefined}
                required={key === "displayName"}
                maxLength={url ? 2048 : 256}
                value={draft[key]}
                placeholder={url ? "https://" : undefined}
                {...describe(errors.at(key), `${id}-${key}-error`, `${id}-${key}-hint`)}
                onChange={(e) => {
                  setDraft({ ...draft, [key]: e.target.value });
                  setStatus("");
                }}
              />
              <p className="muted small hint" id={`${id}-${key}-hint`}>
                {key === "publisherDisplayName" && app.publisherVerified
                  ? "Changing it removes the verified publisher badge."
                  : hint}
              </p>
              <FieldError id={`${id}-${key}-error`} message={errors.at(key)} />
            </div>
          ))}
        </fieldset>
        <ErrorText error={errors.general} />
        {writable ? (
          <div className="actions">
            <button type="submit" className="primary" disabled={!changed || busy}>
              {busy ? "Saving…" : "Save"}
            </button>
            <button type="button" onClick={discard} disabled={!changed || busy}>
              Discard
            </button>
          </div>
        ) : null}
      </form>
      <p role="status" className="success">
        {status}
      </p>
    </section>
  );
}
