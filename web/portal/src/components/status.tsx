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

/** An API error in words, next to what caused it. */
export function ErrorText(props: { error: PortalApiError | undefined; id?: string }) {
  if (!props.error) return null;
  return (
    <p className="error" role="alert" id={props.id}>
      {props.error.message}
    </p>
  );
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
