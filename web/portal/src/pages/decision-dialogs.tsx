import { useId, useState } from "react";
import { api, asApiError, type PortalApiError } from "../api/client.ts";
import type { Audience, ConsentRequestDetail } from "../api/types.ts";
import { Dialog } from "../components/dialog.tsx";
import { DirectorySearch } from "../components/directory-search.tsx";
import { ErrorText } from "../components/status.tsx";

/**
 * Approve: a subset of the requested permissions, for everyone, some groups or some users, and
 * an optional end date. Every control is labelled; the API's refusal is shown in the dialog.
 */
export function ApproveDialog(props: {
  request: ConsentRequestDetail;
  onClose(): void;
  onDone(): void;
}) {
  const { request } = props;
  const all = request.scopes.flatMap((r) => r.scopes.map((s) => `${r.resourceAppId} ${s}`));
  const [chosen, setChosen] = useState<Set<string>>(new Set(all));
  const [audience, setAudience] = useState<Audience["type"]>("everyone");
  const [ids, setIds] = useState<Set<string>>(new Set());
  // Names of the chosen groups or users, so a choice stays listed when a search hides it.
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const [until, setUntil] = useState("");
  const [error, setError] = useState<PortalApiError>();
  const [submitting, setSubmitting] = useState(false);
  const untilId = useId();

  const toggle = (set: Set<string>, value: string, update: (s: Set<string>) => void) => {
    const next = new Set(set);
    if (next.has(value)) next.delete(value);
    else next.add(value);
    update(next);
  };

  const submit = async () => {
    setSubmitting(true);
    setError(undefined);
    const scopes = request.scopes
      .map((r) => ({
        resourceAppId: r.resourceAppId,
        scopes: r.scopes.filter((s) => chosen.has(`${r.resourceAppId} ${s}`)),
      }))
      .filter((r) => r.scopes.length > 0);
    const body = {
      scopes,
      audience: audience === "everyone" ? { type: "everyone" } : { type: audience, ids: [...ids] },
      ...(until ? { until: new Date(`${until}T23:59:59`).toISOString() } : {}),
    };
    try {
      await api("POST", `/api/v1/consentRequests/${request.id}/approve`, body);
      props.onDone();
    } catch (e) {
      setError(asApiError(e));
      setSubmitting(false);
    }
  };

  return (
    <Dialog
      title={`Approve ${request.app.displayName}`}
      onClose={props.onClose}
      onSubmit={submit}
      submitLabel="Approve"
      submitting={submitting}
    >
      <fieldset>
        <legend>Permissions to grant</legend>
        {request.scopes.map((r) =>
          r.scopes.map((s) => {
            const key = `${r.resourceAppId} ${s}`;
            return (
              <label key={key} className="check">
                <input
                  type="checkbox"
                  checked={chosen.has(key)}
                  onChange={() => toggle(chosen, key, setChosen)}
                />
                {s} <span className="muted small">({r.resourceDisplayName})</span>
              </label>
            );
          }),
        )}
      </fieldset>
      <fieldset>
        <legend>Grant to</legend>
        {(
          [
            ["everyone", "Everyone in the organization"],
            ["groups", "Members of groups"],
            ["users", "Selected users"],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="check">
            <input
              type="radio"
              name="audience"
              value={value}
              checked={audience === value}
              onChange={() => {
                setAudience(value);
                setIds(new Set());
                setNames(new Map());
              }}
            />
            {label}
          </label>
        ))}
      </fieldset>
      {audience === "everyone" ? null : (
        <fieldset>
          <legend>{audience === "groups" ? "Groups" : "Users"}</legend>
          {/* Searches the API as the reviewer types: the tenant may have far more groups and
              users than one page. A new audience starts a new search (key). */}
          <DirectorySearch
            key={audience}
            kinds={[audience]}
            label={`Search ${audience === "groups" ? "groups by name" : "users by name"}`}
          >
            {(found) => (
              <>
                {[...names]
                  .filter(([id]) => !found.some((item) => item.id === id))
                  .map(([id, label]) => (
                    <label key={id} className="check">
                      <input
                        type="checkbox"
                        checked={ids.has(id)}
                        onChange={() => toggle(ids, id, setIds)}
                      />
                      {label}
                    </label>
                  ))}
                {found.map((item) => (
                  <label key={item.id} className="check">
                    <input
                      type="checkbox"
                      checked={ids.has(item.id)}
                      onChange={() => {
                        toggle(ids, item.id, setIds);
                        setNames(new Map(names).set(item.id, item.displayName));
                      }}
                    />
                    {item.displayName}
                    {item.kind === "user" ? (
                      <span className="muted small"> ({item.userPrincipalName})</span>
                    ) : null}
                  </label>
                ))}
              </>
            )}
          </DirectorySearch>
        </fieldset>
      )}
      <label htmlFor={untilId}>End date (optional)</label>
      <input id={untilId} type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
      <ErrorText error={error} />
    </Dialog>
  );
}

/** Deny or Block: the reason is required and shown to every requester. */
export function ReasonDialog(props: {
  kind: "deny" | "block";
  request: ConsentRequestDetail;
  onClose(): void;
  onDone(): void;
}) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState<PortalApiError>();
  const [submitting, setSubmitting] = useState(false);
  const id = useId();
  const errorId = useId();
  const verb = props.kind === "deny" ? "Deny" : "Block";
  const submit = async () => {
    setSubmitting(true);
    setError(undefined);
    try {
      await api("POST", `/api/v1/consentRequests/${props.request.id}/${props.kind}`, { reason });
      props.onDone();
    } catch (e) {
      setError(asApiError(e));
      setSubmitting(false);
    }
  };
  return (
    <Dialog
      title={`${verb} ${props.request.app.displayName}`}
      onClose={props.onClose}
      onSubmit={submit}
      submitLabel={verb}
      submitting={submitting}
      danger
    >
      <p>
        {props.kind === "deny"
          ? "The requesters are told the request was denied; they may ask again later."
          : "The app is blocked in your organization: no one can sign in to it or ask for it again until it is unblocked."}
      </p>
      <label htmlFor={id}>Reason (shown to the requesters)</label>
      <textarea
        id={id}
        required
        maxLength={1000}
        rows={3}
        value={reason}
        aria-describedby={error ? errorId : undefined}
        onChange={(e) => setReason(e.target.value)}
      />
      <ErrorText error={error} id={errorId} />
    </Dialog>
  );
}
