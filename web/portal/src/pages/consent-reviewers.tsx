import { useEffect, useId, useRef, useState } from "react";
import { api, asApiError } from "../api/client.ts";
import { DIRECTORY_ROLES, type Group, type Reviewer, type User } from "../api/types.ts";
import { type DirectoryEntry, DirectorySearch } from "../components/directory-search.tsx";
import { FieldError } from "../components/status.tsx";

// Enough to choose from at a glance; anyone else is one search away.
const SHOWN_WITHOUT_SEARCH = 20;

const keyOf = (r: Reviewer) => `${r.type}:${r.id}`;

function entryName(e: DirectoryEntry): string {
  return e.kind === "user"
    ? `${e.displayName} (${e.userPrincipalName})`
    : `${e.displayName} (group)`;
}

/**
 * The names of the chosen reviewers, however far down the directory they are: each user or
 * group the policy names is read once by id (a deleted one says so); `remember` records the
 * name of one just picked from a search, so it needs no read.
 */
function useReviewerNames(reviewers: readonly Reviewer[]) {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const wanted = reviewers
    .filter((r) => r.type !== "role" && !names.has(keyOf(r)))
    .map(keyOf)
    .join(" ");
  // Each name is read once: a resolved name shrinks `wanted`, which must not read the rest again.
  const requested = useRef(new Set<string>());
  useEffect(() => {
    for (const key of wanted.split(" ")) {
      if (!key || requested.current.has(key)) continue;
      requested.current.add(key);
      const [type, id = ""] = key.split(":");
      const path = `/api/v1/${type === "group" ? "groups" : "users"}/${encodeURIComponent(id)}`;
      const settle = (name: string) => setNames((m) => new Map(m).set(key, name));
      api<User | Group>("GET", path).then(
        (found) =>
          settle(
            "userPrincipalName" in found
              ? `${found.displayName} (${found.userPrincipalName})`
              : `${found.displayName} (group)`,
          ),
        (error: unknown) =>
          settle(asApiError(error).status === 404 ? `${id} (no longer in the directory)` : id),
      );
    }
  }, [wanted]);
  const nameOf = (r: Reviewer) =>
    r.type === "role"
      ? `${DIRECTORY_ROLES[r.id] ?? r.id} (role)`
      : (names.get(keyOf(r)) ?? `${r.id} (loading the name…)`);
  const remember = (r: Reviewer, name: string) => setNames((m) => new Map(m).set(keyOf(r), name));
  return { nameOf, remember };
}

/**
 * Who reviews admin consent requests: the chosen users, groups and roles (each with Remove),
 * users and groups added from a search of the whole directory, roles from their short list.
 */
export function ReviewerPicker(props: {
  reviewers: readonly Reviewer[];
  onChange(reviewers: Reviewer[]): void;
  disabled: boolean;
  /** The API's refusal of the reviewers (an unknown user, too many), shown with them. */
  error?: string | undefined;
}) {
  const { reviewers } = props;
  const { nameOf, remember } = useReviewerNames(reviewers);
  const [role, setRole] = useState("");
  const roleId = useId();
  const errorId = useId();
  const chosen = (r: Reviewer) => reviewers.some((x) => x.type === r.type && x.id === r.id);
  const add = (r: Reviewer) => {
    if (!chosen(r)) props.onChange([...reviewers, r]);
  };
  return (
    <fieldset aria-describedby={props.error ? errorId : undefined}>
      <legend>Who can review admin consent requests</legend>
      <FieldError id={errorId} message={props.error} />
      {reviewers.length === 0 ? (
        <p className="muted">No reviewers: Global Administrators review requests.</p>
      ) : (
        <ul className="plain" aria-label="Reviewers">
          {reviewers.map((r) => (
            <li key={keyOf(r)}>
              {nameOf(r)}{" "}
              <button
                type="button"
                className="link"
                aria-label={`Remove reviewer ${nameOf(r)}`}
                onClick={() => props.onChange(reviewers.filter((x) => x !== r))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {props.disabled ? null : (
        <>
          <DirectorySearch
            kinds={["users", "groups"]}
            top={SHOWN_WITHOUT_SEARCH}
            label="Find a user or group to add"
            hint="Type the start of a name or user name: every user and group in the directory can be found."
          >
            {(found) =>
              found.length > 0 ? (
                <ul className="plain picker-results" aria-label="Users and groups found">
                  {found.map((e) => {
                    const reviewer: Reviewer = { type: e.kind, id: e.id };
                    const name = entryName(e);
                    return (
                      <li key={keyOf(reviewer)}>
                        {name}{" "}
                        <button
                          type="button"
                          className="link"
                          aria-label={`Add ${name} as a reviewer`}
                          disabled={chosen(reviewer)}
                          onClick={() => {
                            remember(reviewer, name);
                            add(reviewer);
                          }}
                        >
                          {chosen(reviewer) ? "Added" : "Add"}
                        </button>
                      </li>
                    );
                  })}
                </ul>
              ) : null
            }
          </DirectorySearch>
          <label htmlFor={roleId}>Add a role</label>
          <div className="row">
            <select id={roleId} value={role} onChange={(e) => setRole(e.target.value)}>
              <option value="">Choose…</option>
              {Object.entries(DIRECTORY_ROLES).map(([key, name]) => (
                <option key={key} value={key}>
                  {name}
                </option>
              ))}
            </select>
            <button
              type="button"
              disabled={!role}
              onClick={() => {
                add({ type: "role", id: role });
                setRole("");
              }}
            >
              Add role
            </button>
          </div>
        </>
      )}
    </fieldset>
  );
}
