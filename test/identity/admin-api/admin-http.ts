import { expect } from "vitest";
import { listDirectoryAudits } from "../../../src/identity/activity/index.ts";
import { ADMIN_PERMISSIONS } from "../../../src/identity/apps/index.ts";
import type { User } from "../../../src/identity/directory/index.ts";
import type { TestDatabase } from "../../support/databases.ts";
import {
  type AdminTenant,
  type ApiResponse,
  delegatedToken,
  expectDeclared,
  type IdentityServer,
} from "./support.ts";

/** Every Admin API permission, as the admin portal asks for them. */
export const ALL_SCOPES = ADMIN_PERMISSIONS.join(" ");

/** A delegated token for `user` holding every Admin API scope: the directory role decides. */
export function portalToken(t: TestDatabase, s: AdminTenant, user: User): Promise<string> {
  return delegatedToken(t, s, user, { scp: ALL_SCOPES });
}

/** Any method on the identity server with a bearer token and an optional JSON body. */
export async function api<T = any>(
  server: IdentityServer,
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
  path: string,
  token?: string,
  body?: unknown,
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path.startsWith("http") ? path : `${server.baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const json = (response.headers.get("content-type") ?? "").includes("application/json");
  return {
    status: response.status,
    headers: response.headers,
    body: (json ? JSON.parse(text) : text) as T,
    text,
  };
}

/**
 * Calls the API and asserts the status, and for JSON answers that the body is exactly what the
 * route declares (`route` is the OpenAPI path, e.g. "/api/v1/users/{id}").
 */
export async function expectCall<T = any>(
  server: IdentityServer,
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
  path: string,
  token: string,
  options: { body?: unknown; status?: number; route?: string } = {},
): Promise<T> {
  const r = await api<T>(server, method, path, token, options.body);
  expect(r.status, r.text).toBe(options.status ?? 200);
  if (r.status !== 204) expectDeclared(method, options.route ?? path, r.body);
  else expect(r.text).toBe("");
  return r.body;
}

/** Asserts an error answer's status and code, and returns its message. */
export async function expectError(
  server: IdentityServer,
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
  path: string,
  token: string | undefined,
  status: number,
  code: string,
  body?: unknown,
): Promise<string> {
  const r = await api(server, method, path, token, body);
  expect(r.status, r.text).toBe(status);
  expect(r.body.error.code, r.text).toBe(code);
  expect(r.body.request_id).toBeTruthy();
  return r.body.error.message as string;
}

/** The tenant's newest audit events with this activity name. */
export async function auditEvents(t: TestDatabase, tenantId: string, activity: string) {
  const page = await listDirectoryAudits(t.database.db, tenantId, { activity }, { top: 50 });
  return page.value;
}
