import { type ReactNode, useEffect, useId, useState } from "react";
import { type Page, useApi } from "../api/client.ts";
import type { Group, User } from "../api/types.ts";
import { ErrorText, Loading } from "./status.tsx";

export type DirectoryKind = "users" | "groups";

/** A user or a group as a search finds it. */
export type DirectoryEntry =
  | { kind: "user"; id: string; displayName: string; userPrincipalName: string }
  | { kind: "group"; id: string; displayName: string };

// A short pause after the last key, so a word typed quickly is one search, not one per letter.
const SEARCH_DELAY_MS = 250;

/**
 * Users and groups found by the API's `search` (the start of a name or of one of its words) as
 * the administrator types: the tenant may have far more of them than one page holds, so every
 * picker searches instead of listing. Without a search it shows the first `top` by name.
 *
 * `children` renders the results (checkboxes in the approve dialog, "Add" buttons in the consent
 * settings), so each picker keeps its own way of choosing.
 *
 * @example
 * <DirectorySearch kinds={["groups"]} label="Search groups by name">
 *   {(found) => found.map((g) => <label key={g.id}>…</label>)}
 * </DirectorySearch>
 */
export function DirectorySearch(props: {
  kinds: readonly DirectoryKind[];
  label: string;
  /** How many of each kind one search shows. */
  top?: number;
  /** Shown under the search field, e.g. "Type the start of a name". */
  hint?: string;
  children(found: DirectoryEntry[]): ReactNode;
}) {
  const top = props.top ?? 100;
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const id = useId();
  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const params = new URLSearchParams({ top: String(top) });
  if (query) params.set("search", query);
  const users = useApi<Page<User>>(
    props.kinds.includes("users") ? `/api/v1/users?${params}` : undefined,
  );
  const groups = useApi<Page<Group>>(
    props.kinds.includes("groups") ? `/api/v1/groups?${params}` : undefined,
  );
  const found: DirectoryEntry[] = [
    ...(props.kinds.includes("users") ? (users.data?.value ?? []) : []).map(
      (u): DirectoryEntry => ({
        kind: "user",
        id: u.id,
        displayName: u.displayName,
        userPrincipalName: u.userPrincipalName,
      }),
    ),
    ...(props.kinds.includes("groups") ? (groups.data?.value ?? []) : []).map(
      (g): DirectoryEntry => ({ kind: "group", id: g.id, displayName: g.displayName }),
    ),
  ];
  const loading = users.loading || groups.loading;
  return (
    <>
      <label htmlFor={`${id}-search`}>{props.label}</label>
      <input
        id={`${id}-search`}
        type="search"
        autoComplete="off"
        value={text}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
        onChange={(e) => setText(e.target.value)}
      />
      {props.hint ? (
        <p className="muted small hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <ErrorText error={users.error ?? groups.error} />
      {loading ? <Loading what={props.kinds.join(" and ")} /> : null}
      {!loading && found.length === 0 && query ? (
        <p className="muted">Nothing matches “{query}”.</p>
      ) : null}
      {props.children(found)}
    </>
  );
}
