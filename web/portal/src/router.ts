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

export type AppTab = "properties" | "users" | "permissions" | "sign-in-logs" | "audit-logs";
const APP_TABS: AppTab[] = ["properties", "users", "permissions", "sign-in-logs", "audit-logs"];

export type Route =
  | { page: "overview" }
  | { page: "consent-requests"; filter: "my_pending" | "all"; sort: string }
  | { page: "consent-request"; id: string }
  | { page: "consent-settings" }
  | { page: "enterprise-apps"; search: string }
  | { page: "enterprise-app"; id: string; tab: AppTab }
  | { page: "sign-in-logs" }
  | { page: "audit-logs" }
  | { page: "users"; search: string }
  | { page: "user"; id: string }
  | { page: "groups"; search: string }
  | { page: "group"; id: string }
  | { page: "app-registrations"; search: string }
  | { page: "app-registration"; id: string }
  | { page: "webhooks" }
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
  if (parts[0] === "enterprise-apps" && parts.length === 1)
    return { page: "enterprise-apps", search };
  if (parts[0] === "enterprise-apps" && parts[1] && parts.length <= 3) {
    const tab = APP_TABS.find((t) => t === parts[2]) ?? (parts[2] ? undefined : "properties");
    if (tab) return { page: "enterprise-app", id: decodeURIComponent(parts[1]), tab };
  }
  if (parts[0] === "sign-in-logs" && parts.length === 1) return { page: "sign-in-logs" };
  if (parts[0] === "audit-logs" && parts.length === 1) return { page: "audit-logs" };
  for (const [list, one] of [
    ["users", "user"],
    ["groups", "group"],
    ["app-registrations", "app-registration"],
  ] as const) {
    if (parts[0] !== list) continue;
    if (parts.length === 1) return { page: list, search };
    if (parts.length === 2 && parts[1]) return { page: one, id: decodeURIComponent(parts[1]) };
  }
  if (parts[0] === "webhooks" && parts.length === 1) return { page: "webhooks" };
  return { page: "not-found" };
}
