import { useCallback, useEffect, useState } from "react";
import { api, asApiError, type Page, type PortalApiError } from "./client.ts";

export interface Paged<T> {
  items: T[] | undefined;
  error: PortalApiError | undefined;
  loading: boolean;
  /** True when the API gave an @odata.nextLink. */
  hasMore: boolean;
  loadMore(): void;
  /** Fetches the first page again. */
  reload(): void;
}

/**
 * GETs the first page of `path` (again whenever it changes) and appends the next page on
 * `loadMore`, following the API's `@odata.nextLink` (keyset: nothing repeats or goes missing
 * while new events arrive).
 */
export function usePaged<T>(path: string | undefined): Paged<T> {
  const [state, setState] = useState<{
    items?: T[];
    next?: string;
    error?: PortalApiError;
    loading: boolean;
  }>({ loading: path !== undefined });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick forces a reload
  useEffect(() => {
    if (!path) return;
    let live = true;
    setState({ loading: true });
    api<Page<T>>("GET", path).then(
      (page) =>
        live && setState({ items: page.value, next: page["@odata.nextLink"], loading: false }),
      (error: unknown) => live && setState({ error: asApiError(error), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const next = state.next;
  const loadMore = useCallback(() => {
    if (!next) return;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    api<Page<T>>("GET", next).then(
      (page) =>
        setState((s) => ({
          items: [...(s.items ?? []), ...page.value],
          next: page["@odata.nextLink"],
          loading: false,
        })),
      (error: unknown) => setState((s) => ({ ...s, error: asApiError(error), loading: false })),
    );
  }, [next]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return {
    items: state.items,
    error: state.error,
    loading: state.loading,
    hasMore: next !== undefined,
    loadMore,
    reload,
  };
}
