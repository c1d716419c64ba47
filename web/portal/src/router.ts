import { useEffect, useState } from "react";

/**
 * A small history router: the portal's pages live under `/{tenant}/portal/`, and the path
 * after it picks the page. Deep links (a request's URL from an email) work because the server
 * answers every such path with the SPA.
 */

const listeners = new Set<() => void>();

export function navigate(to: string): void {
  history.pushState(null, "", to);
  for (const l of listeners) l();
}

export function useLocation(): { pathname: string; search: string } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = () => setTick((t) => t + 1);
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return { pathname: location.pathname, search: location.search };
}

export type Route =
  | { page: "overview" }
  | { page: "consent-requests"; filter: "my_pending" | "all"; sort: string }
  | { page: "consent-request"; id: string }
  | { page: "consent-settings" }
  | { page: "not-found" };

/** The route of a path below `/{tenant}/portal`. */
export function routeOf(rest: string, search: string): Route {
  const q = new URLSearchParams(search);
  const parts = rest.split("/").filter(Boolean);
  if (parts.length === 0) return { page: "overview" };
  if (parts[0] === "consent-requests" && parts.length === 1)
    return {
      page: "consent-requests",
      filter: q.get("filter") === "all" ? "all" : "my_pending",
      sort: q.get("sort") ?? "created_desc",
    };
  if (parts[0] === "consent-requests" && parts.length === 2 && parts[1])
    return { page: "consent-request", id: decodeURIComponent(parts[1]) };
  if (parts[0] === "consent-settings" && parts.length === 1) return { page: "consent-settings" };
  return { page: "not-found" };
}
