import { useId, useState } from "react";
import { api, asApiError, type PortalApiError } from "../../api/client.ts";
import { type FieldRule, formErrors } from "../../api/form-errors.ts";
import { Dialog } from "../../components/dialog.tsx";
import { describe, ErrorText, FieldError } from "../../components/status.tsx";
import type { AppRole } from "./types.ts";

export type Member = AppRole["allowedMemberTypes"][number];
export const MEMBERS: Record<Member, string> = {
  User: "Users and groups (assigned under Enterprise applications)",
  Application: "Applications (an application permission)",
};

interface Draft {
  value: string;
  displayName: string;
  description: string;
  members: Member[];
  isEnabled: boolean;
}

type Field = "value" | "displayName" | "description" | "members";

/**
 * Validation details go to the field whose body key they name; the API's named 400s without
 * details go by code (an invalid value). A 409 (the value is another role's, or a member type
 * still assigned) names no field and stays at the top, in the API's words.
 */
const RULES: Record<Field, FieldRule> = {
  value: { paths: ["value"], codes: /^application\.invalid_role_value$/ },
  displayName: { paths: ["displayName"] },
  description: { paths: ["description"] },
  members: { paths: ["allowedMemberTypes"] },
};

const sameMembers = (a: Member[], b: Member[]) =>
  a.length === b.length && a.every((m) => b.includes(m));

/** The PATCH body: only what the draft changes of the role (texts compared trimmed). */
function patchOf(role: AppRole, draft: Draft): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const value = draft.value.trim();
  const displayName = draft.displayName.trim();
  const description = draft.description.trim();
  if (value !== role.value) patch.value = value;
  if (displayName !== role.displayName) patch.displayName = displayName;
  if (description !== role.description) patch.description = description;
  if (!sameMembers(draft.members, role.allowedMemberTypes))
    patch.allowedMemberTypes = draft.members;
  if (draft.isEnabled !== role.isEnabled) patch.isEnabled = draft.isEnabled;
  return patch;
}

/**
 * Edits an app role in a dialog, pre-filled with its value, display name, description, allowed
 * member types and state. Save sends only the changed fields; the role keeps its id, so its
 * assignments stay.
 */
/** "Who can hold it": the role's allowed member types, as checkboxes (create and edit). */
export function MemberTypesField(props: {
  value: Member[];
  onChange: (members: Member[]) => void;
  describedBy?: string | undefined;
}) {
  const { value, onChange } = props;
  return (
    <fieldset aria-describedby={props.describedBy}>
      <legend>Who can hold it</legend>
      {(Object.keys(MEMBERS) as Member[]).map((m) => (
        <label key={m} className="check">
          <input
            type="checkbox"
            checked={value.includes(m)}
            onChange={(e) =>
              onChange(e.target.checked ? [...value, m] : value.filter((x) => x !== m))
            }
          />
          {MEMBERS[m]}
        </label>
      ))}
    </fieldset>
  );
}

export function EditRoleDialog(props: {
  appId: string;
  role: AppRole;
  onClose(): void;
  onSaved(message: string): void;
}) {
  const { role } = props;
  const [draft, setDraft] = useState<Draft>({
    value: role.value,
    displayName: role.displayName,
    description: role.description,
    members: [...role.allowedMemberTypes],
    isEnabled: role.isEnabled,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const id = useId();
  const errors = formErrors(error, RULES);
  const save = async () => {
    const patch = patchOf(role, draft);
    if (Object.keys(patch).length === 0) return props.onClose();
    if (draft.members.length === 0) return;
    setBusy(true);
    setError(undefined);
    try {
      const saved = await api<AppRole>(
        "PATCH",
        `/api/v1/applications/${encodeURIComponent(props.appId)}/appRoles/${encodeURIComponent(role.id)}`,
        patch,
      );
      setBusy(false);
      props.onSaved(`App role ${saved.value} saved.`);
    } catch (e) {
      setError(asApiError(e));
      setBusy(false);
    }
  };
  const membersError =
    errors.at("members") ??
    (draft.members.length === 0
      ? "Choose who can hold the role: users and groups, applications, or both."
      : undefined);
  return (
    <Dialog
      title={`Edit app role ${role.value}`}
      submitLabel="Save"
      submitting={busy}
      onClose={props.onClose}
      onSubmit={() => void save()}
    >
      <ErrorText error={errors.general} />
      <label htmlFor={`${id}-name`}>Display name</label>
      <input
        id={`${id}-name`}
        type="text"
        required
        maxLength={1024}
        value={draft.displayName}
        {...describe(errors.at("displayName"), `${id}-name-error`)}
        onChange={(e) => setDraft({ ...draft, displayName: e.target.value })}
      />
      <FieldError id={`${id}-name-error`} message={errors.at("displayName")} />
      <label htmlFor={`${id}-value`}>Value</label>
      <input
        id={`${id}-value`}
        type="text"
        required
        maxLength={120}
        value={draft.value}
        {...describe(errors.at("value"), `${id}-value-error`, `${id}-value-hint`)}
        onChange={(e) => setDraft({ ...draft, value: e.target.value })}
      />
      <p className="muted small hint" id={`${id}-value-hint`}>
        What tokens carry in the roles claim. Changing it changes the roles claim of tokens issued
        from then on; assignments of the role stay.
      </p>
      <FieldError id={`${id}-value-error`} message={errors.at("value")} />
      <label htmlFor={`${id}-desc`}>Description</label>
      <textarea
        id={`${id}-desc`}
        required
        maxLength={1024}
        value={draft.description}
        {...describe(errors.at("description"), `${id}-desc-error`)}
        onChange={(e) => setDraft({ ...draft, description: e.target.value })}
      />
      <FieldError id={`${id}-desc-error`} message={errors.at("description")} />
      <MemberTypesField
        value={draft.members}
        onChange={(members) => setDraft({ ...draft, members })}
        describedBy={membersError ? `${id}-members-error` : undefined}
      />
      <FieldError id={`${id}-members-error`} message={membersError} />
      <label className="check">
        <input
          type="checkbox"
          checked={draft.isEnabled}
          onChange={(e) => setDraft({ ...draft, isEnabled: e.target.checked })}
        />
        Enabled
      </label>
    </Dialog>
  );
}
