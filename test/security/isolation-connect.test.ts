import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConnectServers,
  type Receiver,
  startConnect,
  startReceiver,
} from "../connect/support/connect-world.ts";
import { type IdentityServer, startIdentity } from "../identity/oauth/support/fixture.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import {
  type ConnectTenant,
  connectCall,
  connectRoutes,
  seedConnectTenant,
} from "./support/isolation-connect.ts";

/**
 * Connect's API is per application: application X's API key must not read or change anything
 * of application Y's (grants, messages through them, connectors, webhook destinations and
 * their deliveries, pending approvals, callback URIs). Every route Fastify serves is enumerated;
 * a route this file does not know fails the test until it is classified here.
 */

/** Routes not authenticated by an API key: the hosted pages and Identity's signed webhooks. */
const PUBLIC = new Set([
  "GET /healthz",
  "GET /readyz",
  "GET /v3/connect/auth",
  "GET /v3/connect/callback",
  "POST /v3/connect/token",
  "GET /v3/connect/approvals/:id",
  "GET /v3/connect/resume/:id",
  "POST /v3/connect/identity-events/:connectorId",
]);

/** Which of Y's objects a path parameter names: by its name, else by the segment before it. */
const BY_SEGMENT: Record<string, string> = {
  grants: "grant",
  approvals: "approval",
  webhooks: "webhook",
  "rotate-secret": "webhook",
  "redirect-uris": "redirectUri",
};

function fill(route: string, y: ConnectTenant): string {
  const [, path = ""] = route.split(" ");
  const segments = path.split("/");
  return segments
    .map((segment, i) => {
      if (!segment.startsWith(":")) return segment;
      const name = segment.slice(1);
      const key = name === "id" ? BY_SEGMENT[segments[i - 1] ?? ""] : name;
      const value = key ? y.params[key] : undefined;
      if (!value) throw new Error(`${route}: no value of application Y for ${segment}`);
      return encodeURIComponent(value);
    })
    .join("/");
}

const BODIES: Record<string, unknown> = {
  "POST /v3/connectors": {
    provider: "microsoft",
    settings: { client_id: "x", client_secret: "y" },
  },
  "PATCH /v3/connectors/:provider": { scope: ["Mail.Read"] },
  "PATCH /v3/grants/:id": { scope: ["Mail.Read", "Mail.Send"] },
  "PUT /v3/webhooks/:id": { description: "taken over", trigger_types: ["grant.deleted"] },
  "PATCH /v3/webhooks/:id": { description: "taken over" },
  "POST /v3/webhooks": {},
  "POST /v3/applications/redirect-uris": { url: "https://x-own.example/cb" },
};

async function snapshot(servers: ConnectServers, y: ConnectTenant) {
  const paths = [
    "/v3/applications",
    "/v3/applications/redirect-uris",
    "/v3/connectors",
    "/v3/connectors/microsoft",
    "/v3/grants",
    `/v3/grants/${y.params.grant}`,
    "/v3/approvals",
    `/v3/approvals/${y.params.approval}`,
    "/v3/webhooks",
    `/v3/webhooks/${y.params.webhook}`,
  ];
  const out: Record<string, string> = {};
  for (const p of paths) {
    const r = await connectCall(servers, "GET", p, y.apiKey);
    out[p] = `${r.status} ${r.text.replace(/"request_id":"[^"]+"/g, "")}`;
  }
  return out;
}

describe.each(["pglite", "postgres"] as const)("Connect application isolation on %s", (kind) => {
  let t: TestDatabase | undefined;
  let identity: IdentityServer;
  let servers: ConnectServers;
  let receiver: Receiver;
  let x: ConnectTenant;
  let y: ConnectTenant;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    identity = await startIdentity(t);
    servers = await startConnect(t, identity);
    receiver = await startReceiver();
    x = await seedConnectTenant(t, servers, "Xray", receiver.url);
    y = await seedConnectTenant(t, servers, "Yankee", receiver.url);
  }, 120_000);
  afterAll(async () => {
    await receiver?.close();
    await servers?.close();
    await identity?.close();
    await t?.close();
  });

  it("X's API key gets nothing of Y's on any route, and changes nothing of Y's", async (ctx) => {
    if (!t) return ctx.skip();
    const before = await snapshot(servers, y);
    const routes = connectRoutes(servers);
    expect(routes).toContain("GET /v3/grants/:id");
    const failures: string[] = [];
    let exercised = 0;
    for (const route of routes) {
      if (PUBLIC.has(route)) continue;
      const [method = "GET"] = route.split(" ");
      const path = fill(route, y);
      const namesY = path.includes(":") || /\/:(id|messageId|eventId)\b/.test(route);
      const r = await connectCall(servers, method, path, x.apiKey, BODIES[route]);
      exercised++;
      const where = `${route} -> ${r.status}`;
      if (r.status >= 500) failures.push(`${where}: ${r.text.slice(0, 200)}`);
      if (namesY && (r.status < 400 || r.status >= 500))
        failures.push(`${where}: expected 4xx for Y's object, got ${r.text.slice(0, 200)}`);
      if (r.text.includes(y.marker)) failures.push(`${where}: leaks Y's marker`);
      for (const secret of y.secrets)
        if (!path.includes(encodeURIComponent(secret)) && r.text.includes(secret))
          failures.push(`${where}: leaks ${secret}`);
    }
    expect(failures).toEqual([]);
    expect(exercised).toBeGreaterThan(20);
    expect(await snapshot(servers, y)).toEqual(before);
  }, 180_000);

  it("knows every route: a new one must be classified (public or per-application)", async (ctx) => {
    if (!t) return ctx.skip();
    for (const route of connectRoutes(servers)) {
      if (PUBLIC.has(route)) continue;
      expect(() => fill(route, y), route).not.toThrow();
    }
  });

  it("refuses requests without a key, with a revoked or another service's key", async (ctx) => {
    if (!t) return ctx.skip();
    for (const key of [undefined, "", "nyk_forged", `${y.apiKey}x`, x.apiKey.slice(0, -1)]) {
      const r = await connectCall(servers, "GET", "/v3/grants", key);
      expect(r.status, r.text).toBe(401);
      expect(r.text).not.toContain(y.marker);
      expect(r.text).not.toContain(x.marker);
    }
  });
});
