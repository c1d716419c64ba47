import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConnectServers,
  type Receiver,
  startConnect,
  startReceiver,
} from "../connect/support/connect-world.ts";
import { type IdentityServer, startIdentity } from "../identity/oauth/support/fixture.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import { anyJson, expectSane, nasty, RUNS, send } from "./support/fuzz-harness.ts";
import {
  type ConnectTenant,
  connectRoutes,
  seedConnectTenant,
} from "./support/isolation-connect.ts";

/**
 * Property-based fuzzing of Connect's API (every route Fastify serves, with the application's
 * own API key, hostile path values, query strings and JSON bodies) and of its hosted auth
 * endpoints, with the harness of support/fuzz-harness.ts.
 */

function segment(value: string): string {
  return [...Buffer.from(value, "utf8")]
    .map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`)
    .join("");
}

describe("Connect fuzzing on pglite", () => {
  let t: TestDatabase | undefined;
  let identity: IdentityServer;
  let servers: ConnectServers;
  let receiver: Receiver;
  let x: ConnectTenant;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    if (!t) return;
    identity = await startIdentity(t);
    servers = await startConnect(t, identity);
    receiver = await startReceiver();
    x = await seedConnectTenant(t, servers, "Fuzz", receiver.url);
  }, 120_000);
  afterAll(async () => {
    await receiver?.close();
    await servers?.close();
    await identity?.close();
    await t?.close();
  });

  it("answers 4xx for a non-id webhook to delete and an over-long path segment (found by the property below)", async (ctx) => {
    if (!t) return ctx.skip();
    const cases: Array<[string, string, string]> = [
      // Was 500: the id reached the uuid column unchecked.
      ["DELETE", "/v3/webhooks/undefined", "not_found_error"],
      // Was 500: the shared 414 for a path segment over 500 characters was not in Nylas's shape.
      ["PATCH", `/v3/connectors/${"x".repeat(5000)}`, "invalid_request_error"],
      ["GET", `/v3/grants/${"x".repeat(600)}`, "invalid_request_error"],
    ];
    for (const [method, path, type] of cases) {
      const answer = await send(`${servers.connectUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${x.apiKey}` },
      });
      expectSane(answer, `${method} ${path.slice(0, 60)}`);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(JSON.parse(answer.text).error.type).toBe(type);
    }
  });

  it("any route, path value, query and body answers without a server error or leak", async (ctx) => {
    if (!t) return ctx.skip();
    const routes = connectRoutes(servers).filter((r) => !r.endsWith("/healthz"));
    const ownValues = Object.values(x.params).filter(Boolean);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.array(fc.oneof(fc.constantFrom(...ownValues), nasty), { minLength: 3, maxLength: 3 }),
        fc.array(
          fc.tuple(
            fc.oneof(fc.constantFrom("limit", "offset", "page_token", "email", "in", "q"), nasty),
            nasty,
          ),
          { maxLength: 4 },
        ),
        fc.oneof(anyJson, fc.constant(undefined), fc.constant("{not json")),
        fc.boolean(),
        async (route, values, query, body, withKey) => {
          const [method = "GET", template = "/"] = route.split(" ");
          let i = 0;
          const path = template.replace(/:\w+/g, () => segment(values[i++] || "x"));
          const qs = new URLSearchParams(query).toString();
          const headers: Record<string, string> = withKey
            ? { authorization: `Bearer ${x.apiKey}` }
            : {};
          let payload: string | undefined;
          if (body !== undefined && method !== "GET" && method !== "DELETE") {
            headers["content-type"] = "application/json";
            payload = body === "{not json" ? body : JSON.stringify(body);
          }
          const answer = await send(`${servers.connectUrl}${path}${qs ? `?${qs}` : ""}`, {
            method,
            headers,
            ...(payload === undefined ? {} : { body: payload }),
          });
          expectSane(answer, `${method} ${path}?${qs} ${payload?.slice(0, 200)}`);
        },
      ),
      { ...RUNS, numRuns: 250 },
    );
  }, 900_000);
});
