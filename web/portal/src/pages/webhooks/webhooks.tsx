import { useId, useState } from "react";
import { api, asApiError, type PortalApiError, useApi } from "../../api/client.ts";
import { formErrors } from "../../api/form-errors.ts";
import { useCan, useReadOnlyNote } from "../../auth/capabilities.ts";
import { Dialog } from "../../components/dialog.tsx";
import { describe, Empty, ErrorText, FieldError, Loading, When } from "../../components/status.tsx";

/** An endpoint as the API lists it (never its secret). */
interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  createdAt: string;
}

/** One delivery attempt from the endpoint's delivery log. */
interface WebhookDelivery {
  id: string;
  eventId: string;
  eventType: string;
  attempt: number;
  url: string;
  statusCode: number | null;
  responseExcerpt: string | null;
  durationMs: number;
  error: string | null;
  createdAt: string;
}

/** The consent request events an endpoint can subscribe to (the API's enum). */
const EVENT_TYPES: Array<[string, string]> = [
  ["consent_request.created", "A request is created"],
  ["consent_request.updated", "Another user joins a request"],
  ["consent_request.approved", "A request is approved"],
  ["consent_request.denied", "A request is denied"],
  ["consent_request.blocked", "An app is blocked"],
  ["consent_request.expired", "A request expires"],
  ["consent_request.withdrawn", "A request is withdrawn"],
];

const delivered = (d: WebhookDelivery) =>
  d.statusCode !== null && d.statusCode >= 200 && d.statusCode < 300;

/**
 * Monitoring > Webhooks: the tenant's endpoints for consent request events. Add one (its
 * signing secret is shown once, to copy), remove one after a confirmation, read an endpoint's
 * delivery log (every attempt: result, last error, time) and send an event again. A Global
 * Reader sees all of it without the write actions.
 */
export function WebhooksPage(_: { base: string }) {
  const endpoints = useApi<{ value: WebhookEndpoint[] }>("/api/v1/webhookEndpoints");
  const can = useCan();
  const readOnly = useReadOnlyNote();
  const writable = can("webhooks.write");
  const [selected, setSelected] = useState<string>();
  const [removing, setRemoving] = useState<WebhookEndpoint>();
  const [busy, setBusy] = useState(false);
  const [removeError, setRemoveError] = useState<PortalApiError>();
  const [status, setStatus] = useState("");
  const [created, setCreated] = useState<{ url: string; secret: string }>();

  const remove = async () => {
    if (!removing) return;
    setBusy(true);
    setRemoveError(undefined);
    try {
      await api("DELETE", `/api/v1/webhookEndpoints/${encodeURIComponent(removing.id)}`);
      setStatus(`Removed ${removing.url}.`);
      if (selected === removing.id) setSelected(undefined);
      setRemoving(undefined);
      endpoints.reload();
    } catch (e) {
      setRemoveError(asApiError(e));
    }
    setBusy(false);
  };
  const list = endpoints.data?.value ?? [];
  const chosen = list.find((e) => e.id === selected);
  return (
    <>
      <h1>Webhooks</h1>
      <p className="muted">
        Signed HTTP callbacks (Standard Webhooks) for admin consent request events, retried with
        backoff until the receiver answers 2xx.
      </p>
      {writable ? null : <p className="muted">{readOnly("webhooks.write")}</p>}
      <p role="status" className="success">
        {status}
      </p>
      {created ? <SecretOnce {...created} onDismiss={() => setCreated(undefined)} /> : null}
      <section aria-labelledby="endpoints">
        <h2 id="endpoints">Endpoints</h2>
        <ErrorText error={endpoints.error} />
        {endpoints.loading && !endpoints.data ? <Loading what="endpoints" /> : null}
        {endpoints.data && list.length === 0 ? <Empty>No webhook endpoints yet.</Empty> : null}
        {list.length > 0 ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Webhook endpoints</caption>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Status</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((e) => (
                  <tr key={e.id} className={selected === e.id ? "selected" : undefined}>
                    <th scope="row">
                      <code>{e.url}</code>
                      {e.description ? <div className="muted small">{e.description}</div> : null}
                    </th>
                    <td>{e.eventTypes.join(", ")}</td>
                    <td>
                      {e.enabled ? (
                        <span className="badge success">Enabled</span>
                      ) : (
                        <span className="badge failure">Disabled (410 Gone)</span>
                      )}
                    </td>
                    <td>
                      <When at={e.createdAt} />
                    </td>
                    <td>
                      <button
                        type="button"
                        className="link"
                        aria-label={`Deliveries of ${e.url}`}
                        aria-pressed={selected === e.id}
                        onClick={() => setSelected(e.id)}
                      >
                        Deliveries
                      </button>{" "}
                      {writable ? (
                        <button
                          type="button"
                          className="link"
                          aria-label={`Remove ${e.url}`}
                          onClick={() => {
                            setRemoveError(undefined);
                            setRemoving(e);
                          }}
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
      </section>
      {chosen ? <Deliveries endpoint={chosen} writable={writable} /> : null}
      {writable ? (
        <AddEndpoint
          onAdded={(url, secret) => {
            setStatus(`Added ${url}.`);
            setCreated({ url, secret });
            endpoints.reload();
          }}
        />
      ) : null}
      {removing ? (
        <Dialog
          title={`Remove ${removing.url}?`}
          submitLabel="Remove"
          danger
          submitting={busy}
          onClose={() => setRemoving(undefined)}
          onSubmit={() => void remove()}
        >
          <p>
            It receives no more events, and events still waiting for it are dropped. Its delivery
            log is kept.
          </p>
          <ErrorText error={removeError} />
        </Dialog>
      ) : null}
    </>
  );
}

/** The new endpoint's signing secret: shown this once, with a copy button and a warning. */
function SecretOnce(props: { url: string; secret: string; onDismiss(): void }) {
  const id = useId();
  const [copied, setCopied] = useState("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied("Copied.");
    } catch {
      setCopied("Copying is not allowed here: select the secret and copy it.");
    }
  };
  return (
    <section className="notice" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Signing secret of {props.url}</h2>
      <p>
        <strong>Copy it now: it is not shown again.</strong> Your receiver verifies each event's
        webhook-signature with it. If it is lost, remove the endpoint and add it again.
      </p>
      <label htmlFor={`${id}-secret`}>Secret</label>
      <div className="row">
        <input
          id={`${id}-secret`}
          readOnly
          value={props.secret}
          onFocus={(e) => e.target.select()}
        />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" onClick={props.onDismiss}>
          I have stored it
        </button>
      </div>
      <p role="status" className="success">
        {copied}
      </p>
    </section>
  );
}

function AddEndpoint(props: { onAdded(url: string, secret: string): void }) {
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<Set<string>>(new Set(EVENT_TYPES.map(([t]) => t)));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PortalApiError>();
  const id = useId();
  const errors = formErrors(error, {
    url: { paths: ["url"], codes: /invalid_url/ },
    description: { paths: ["description"] },
    eventTypes: { paths: ["eventTypes"] },
  });
  const add = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const made = await api<WebhookEndpoint & { secret: string }>(
        "POST",
        "/api/v1/webhookEndpoints",
        {
          url: url.trim(),
          eventTypes: [...events],
          ...(description.trim() ? { description: description.trim() } : {}),
        },
      );
      setUrl("");
      setDescription("");
      props.onAdded(made.url, made.secret);
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(false);
  };
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Add an endpoint</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <label htmlFor={`${id}-url`}>URL (https, reachable from this server)</label>
        <input
          id={`${id}-url`}
          type="url"
          required
          value={url}
          placeholder="https://example.com/webhooks/assent"
          {...describe(errors.at("url"), `${id}-url-error`)}
          onChange={(e) => setUrl(e.target.value)}
        />
        <FieldError id={`${id}-url-error`} message={errors.at("url")} />
        <label htmlFor={`${id}-description`}>Description (optional)</label>
        <input
          id={`${id}-description`}
          maxLength={256}
          value={description}
          {...describe(errors.at("description"), `${id}-description-error`)}
          onChange={(e) => setDescription(e.target.value)}
        />
        <FieldError id={`${id}-description-error`} message={errors.at("description")} />
        <fieldset>
          <legend>Events</legend>
          {EVENT_TYPES.map(([type, label]) => (
            <label key={type} className="check">
              <input
                type="checkbox"
                checked={events.has(type)}
                onChange={() => {
                  const next = new Set(events);
                  if (next.has(type)) next.delete(type);
                  else next.add(type);
                  setEvents(next);
                }}
              />
              {label} <code className="small">{type}</code>
            </label>
          ))}
          <FieldError id={`${id}-events-error`} message={errors.at("eventTypes")} />
        </fieldset>
        <ErrorText error={errors.general} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || events.size === 0}>
            {busy ? "Adding…" : "Add endpoint"}
          </button>
        </div>
      </form>
    </section>
  );
}

/** An endpoint's delivery log, newest attempt first, with "Resend" per delivery. */
function Deliveries(props: { endpoint: WebhookEndpoint; writable: boolean }) {
  const { endpoint } = props;
  const log = useApi<{ value: WebhookDelivery[] }>(
    `/api/v1/webhookEndpoints/${encodeURIComponent(endpoint.id)}/deliveries?top=50`,
  );
  const [status, setStatus] = useState("");
  const [error, setError] = useState<PortalApiError>();
  const [busy, setBusy] = useState<string>();
  const id = useId();
  const resend = async (d: WebhookDelivery) => {
    setBusy(d.id);
    setError(undefined);
    setStatus("");
    try {
      await api(
        "POST",
        `/api/v1/webhookEndpoints/${encodeURIComponent(endpoint.id)}/deliveries/${encodeURIComponent(d.id)}/resend`,
      );
      setStatus(
        `${d.eventType} is queued to be sent again; refresh to see the new attempt in the log.`,
      );
    } catch (e) {
      setError(asApiError(e));
    }
    setBusy(undefined);
  };
  const rows = log.data?.value ?? [];
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Deliveries to {endpoint.url}</h2>
      <div className="actions">
        <button type="button" onClick={log.reload} disabled={log.loading}>
          {log.loading ? "Refreshing…" : "Refresh"}
        </button>
      </div>
      <p role="status" className="success">
        {status}
      </p>
      <ErrorText error={error ?? log.error} />
      {log.loading && !log.data ? <Loading what="deliveries" /> : null}
      {log.data && rows.length === 0 ? (
        <Empty>No deliveries yet: events are sent as they happen.</Empty>
      ) : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Delivery attempts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Attempt</th>
                <th scope="col">Result</th>
                <th scope="col">Error or answer</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id}>
                  <td>
                    <When at={d.createdAt} />
                  </td>
                  <td>
                    {d.eventType}
                    <div className="muted small">
                      <code>{d.eventId}</code>
                    </div>
                  </td>
                  <td>{d.attempt}</td>
                  <td>
                    {delivered(d) ? (
                      <span className="badge success">Delivered ({d.statusCode})</span>
                    ) : (
                      <span className="badge failure">
                        Failed{d.statusCode !== null ? ` (${d.statusCode})` : ""}
                      </span>
                    )}
                    <div className="muted small">{d.durationMs} ms</div>
                  </td>
                  <td className="small">{d.error ?? d.responseExcerpt ?? "—"}</td>
                  <td>
                    {props.writable ? (
                      <button
                        type="button"
                        className="link"
                        aria-label={`Resend ${d.eventType} (attempt ${d.attempt} at ${d.createdAt})`}
                        disabled={busy !== undefined}
                        onClick={() => void resend(d)}
                      >
                        Resend
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
