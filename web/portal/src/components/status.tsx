import type { ReactNode } from "react";
import type { PortalApiError } from "../api/client.ts";

/** "Loading …" announced politely to screen readers. */
export function Loading(props: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {props.what}…
    </p>
  );
}

/**
 * An API error in words, next to what caused it; a validation error's per-field details that
 * no field of the form shows are listed under it, each with the key it concerns.
 */
export function ErrorText(props: { error: PortalApiError | undefined; id?: string }) {
  if (!props.error) return null;
  const { message, details } = props.error;
  if (details.length === 0)
    return (
      <p className="error" role="alert" id={props.id}>
        {message}
      </p>
    );
  return (
    <div className="error" role="alert" id={props.id}>
      <p>{message}</p>
      <ul>
        {details.map((d, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: details may repeat a path and message
          <li key={i}>
            {d.path ? <code>{d.path}</code> : null}
            {d.path ? ": " : null}
            {d.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** One field's problem, under the field; the field names it in aria-describedby (`describe`). */
export function FieldError(props: { id: string; message: string | undefined }) {
  if (!props.message) return null;
  return (
    <p className="error" role="alert" id={props.id}>
      {props.message}
    </p>
  );
}

/**
 * The attributes that tie a field to its error (when it has one) and to its hints.
 *
 * @example
 * <input {...describe(errors.at("url"), `${id}-url-error`)} />
 */
export function describe(
  message: string | undefined,
  errorId: string,
  ...hintIds: string[]
): { "aria-invalid": true | undefined; "aria-describedby": string | undefined } {
  const ids = [message ? errorId : "", ...hintIds].filter(Boolean).join(" ");
  return { "aria-invalid": message ? true : undefined, "aria-describedby": ids || undefined };
}

export function Empty(props: { children: ReactNode }) {
  return <p className="empty">{props.children}</p>;
}

/** A date-time as the reader's locale shows it, with the exact value on hover. */
export function When(props: { at: string | null | undefined }) {
  if (!props.at) return <span>—</span>;
  const date = new Date(props.at);
  return (
    <time dateTime={props.at} title={date.toISOString()}>
      {date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}
    </time>
  );
}

/** How long ago, in words ("3 days"). */
export function age(at: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - new Date(at).getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} days`;
}
