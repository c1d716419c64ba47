import { useCallback, useEffect, useState } from "react";
import { type Session, startSignIn } from "../auth/session.ts";

/** One field's problem, as a validation error's `details` lists it (`path` is the body's key). */
export interface FieldDetail {
  path: string;
  message: string;
}

/**
 * An admin API error in the API's own words (`{ error: { code, message, details }, request_id }`).
 * `details` keeps the per-field problems of a validation error (`request.invalid`), so a form can
 * show each one under its field (see `formErrors`).
 */
export class PortalApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly FieldDetail[] = [],
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: unknown };
}

/** The error body's per-field details; other shapes of `details` are not about fields. */
function fieldDetails(details: unknown): FieldDetail[] {
  if (!Array.isArray(details)) return [];
  return details.flatMap((d: unknown) => {
    const { path, message } = (d ?? {}) as { path?: unknown; message?: unknown };
    return typeof path === "string" && typeof message === "string" ? [{ path, message }] : [];
  });
}

/** An error body that is not JSON (a proxy's HTML page) carries no code. */
function parseOrNothing(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The API's error envelope as a PortalApiError (a bare status when the body is not one). */
function errorFrom(status: number, body: unknown): PortalApiError {
  const error = (body as ErrorBody | undefined)?.error;
  return new PortalApiError(
    status,
    error?.code ?? "http.error",
    error?.message ?? `The server answered ${status}.`,
    fieldDetails(error?.details),
  );
}

export interface Page<T> {
  value: T[];
  "@odata.nextLink"?: string;
}

let session: Session | undefined;

/** The signed-in session every call uses. */
export function setApiSession(s: Session): void {
  session = s;
}

/**
 * Calls the admin REST API with the signed-in user's token. A 401 (token expired or revoked)
 * signs in again and comes back to the same page.
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  if (!session) throw new PortalApiError(401, "portal.signed_out", "You are not signed in.");
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${session.accessToken}`,
      accept: "application/json",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    await startSignIn(session.tenant, location.pathname + location.search);
    throw new PortalApiError(401, "portal.signing_in", "Your sign-in expired; signing in again.");
  }
  const text = await response.text();
  if (!response.ok) throw errorFrom(response.status, parseOrNothing(text));
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface Loaded<T> {
  data: T | undefined;
  error: PortalApiError | undefined;
  loading: boolean;
  reload(): void;
}

/** GETs `path` (again whenever it changes or `reload` is called). */
export function useApi<T>(path: string | undefined): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: PortalApiError; loading: boolean }>({
    loading: path !== undefined,
  });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick forces a reload
  useEffect(() => {
    if (!path) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api<T>("GET", path).then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error: asApiError(error), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function asApiError(error: unknown): PortalApiError {
  return error instanceof PortalApiError
    ? error
    : new PortalApiError(
        0,
        "portal.network",
        "The server could not be reached. Check your connection and try again.",
      );
}

/**
 * Downloads an export (CSV or JSON Lines) with the signed-in user's token: a plain link
 * cannot carry the bearer token, so the file is fetched and handed to the browser as a blob.
 */
export async function download(path: string, fileName: string): Promise<void> {
  if (!session) throw new PortalApiError(401, "portal.signed_out", "You are not signed in.");
  const response = await fetch(path, {
    headers: { authorization: `Bearer ${session.accessToken}` },
  });
  if (!response.ok) throw errorFrom(response.status, await response.json().catch(() => undefined));
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
