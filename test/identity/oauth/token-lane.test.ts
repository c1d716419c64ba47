import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.ts";
import { listSignIns } from "../../../src/identity/activity/index.ts";
import { createIdentityApp } from "../../../src/identity/app.ts";
import { KeyRing } from "../../../src/platform/crypto/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { freePort } from "../../support/processes.ts";
import { type IdentityServer, type Seeded, seedTenant } from "./support/fixture.ts";
import { basic, tokenEndpoint } from "./support/protocol.ts";

/**
 * The token lane (src/identity/oauth/protocol-routes.ts): token requests after the first skip
 * Fastify's router. Whichever way a request goes, the client and the administrator must see
 * the same thing: status and body, security headers, request id, sign-in log entry, log line.
 */
interface Started extends IdentityServer {
  /** Token requests Fastify's router saw (an onRequest hook counts them). */
  fastifyTokenRequests: () => number;
  logLines: Array<Record<string, unknown>>;
}

async function start(t: TestDatabase, env: Record<string, string> = {}): Promise<Started> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const logLines: Array<Record<string, unknown>> = [];
  const keyRing = new KeyRing([randomBytes(32)]);
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  const app = await createIdentityApp({
    config: loadConfig({
      ASSENT_IDENTITY_URL: baseUrl,
      ASSENT_SECRET_KEY: randomBytes(32).toString("base64"),
      LOG_LEVEL: "info",
      ...env,
    }),
    database: t.database,
    keyRing,
    logger: pino({ level: "info" }, sink),
  });
  let seen = 0;
  app.addHook("onRequest", async (request) => {
    if (request.url.includes("/oauth2/v2.0/token")) seen++;
  });
  await app.listen({ port, host: "127.0.0.1" });
  return {
    app,
    baseUrl,
    keyRing,
    close: () => app.close(),
    fastifyTokenRequests: () => seen,
    logLines,
  };
}

async function clientCredentials(
  s: Seeded,
  init: { secret?: string; url?: string; headers?: Record<string, string> } = {},
) {
  const response = await fetch(init.url ?? tokenEndpoint(s), {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...basic(s.web.appId, init.secret ?? s.webSecret),
      ...init.headers,
    },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      scope: "api://assent-mail/.default",
    }),
  });
  const headers = Object.fromEntries(response.headers);
  return {
    status: response.status,
    headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** The sign-in event of a request, once the recorder has written it. */
async function signInOf(t: TestDatabase, tenantId: string, requestId: string) {
  for (let i = 0; i < 100; i++) {
    const page = await listSignIns(t.database.db, tenantId, { requestId }, { top: 5 });
    if (page.value[0]) return page.value[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

// Headers that differ between any two responses.
const PER_RESPONSE = new Set(["date", "x-request-id", "content-length", "etag"]);
const fixed = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !PER_RESPONSE.has(name)));

describe.each(["pglite", "postgres"] as const)("the token lane on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: Started;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (t) server = await start(t);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it("answers token requests after the first without Fastify, exactly as Fastify did", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "lane");
    const before = server.fastifyTokenRequests();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await clientCredentials(s));
    // The first token request of the process went through Fastify (it captures the security
    // headers the lane replays); the others did not.
    expect(server.fastifyTokenRequests() - before).toBeLessThanOrEqual(1);
    const [first, ...rest] = answers;
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.access_token).toEqual(expect.any(String));
      expect(answer.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(answer.headers["x-frame-options"]).toBe("DENY");
    }
    for (const answer of rest) expect(fixed(answer.headers)).toEqual(fixed(first!.headers));
    expect(new Set(answers.map((a) => a.headers["x-request-id"])).size).toBe(answers.length);
    // Each request is in the sign-in log under the id its response carried, and logged once.
    for (const answer of answers) {
      const requestId = answer.headers["x-request-id"] as string;
      const event = await signInOf(t, s.tenant.id, requestId);
      expect(event).toMatchObject({ status: "success", ipAddress: "127.0.0.1" });
      const lines = server.logLines.filter(
        (l) => l.msg === "request" && l.request_id === requestId,
      );
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ method: "POST", status: 200 });
    }
  });

  it("gives refusals the same Entra shape and request id on the lane", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "lane-errors");
    await clientCredentials(s);
    const before = server.fastifyTokenRequests();
    const wrongSecret = await clientCredentials(s, { secret: "not-the-secret" });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
    expect(wrongSecret.body.trace_id).toBe(wrongSecret.headers["x-request-id"]);
    const unknownTenant = await clientCredentials(s, {
      url: `${server.baseUrl}/no-such-tenant/oauth2/v2.0/token`,
    });
    expect(unknownTenant.status).toBe(400);
    expect(unknownTenant.body).toMatchObject({ error: "invalid_tenant", error_codes: [90002] });
    expect(unknownTenant.body.trace_id).toBe(unknownTenant.headers["x-request-id"]);
    expect(unknownTenant.headers["cache-control"]).toBe("no-store");
    expect(server.fastifyTokenRequests()).toBe(before);
    // The correlation id a client sends comes back, as through Fastify.
    const correlationId = "2f1a7f3e-64c4-4d3c-9a61-6a1b0c2d3e4f";
    const correlated = await clientCredentials(s, {
      secret: "not-the-secret",
      headers: { "client-request-id": correlationId },
    });
    expect(correlated.body.correlation_id).toBe(correlationId);
  });

  it("leaves a token request with a query string to Fastify", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "lane-query");
    await clientCredentials(s);
    const before = server.fastifyTokenRequests();
    const answer = await clientCredentials(s, { url: `${tokenEndpoint(s)}?client-request-id=x` });
    expect(answer.status).toBe(200);
    expect(server.fastifyTokenRequests()).toBe(before + 1);
  });
});

describe("the token lane behind a trusted proxy", () => {
  let t: TestDatabase | undefined;
  let server: Started;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    if (t) server = await start(t, { ASSENT_TRUST_PROXY: "true" });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it("is not taken: Fastify works out the client's address from X-Forwarded-For", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "lane-proxy");
    const before = server.fastifyTokenRequests();
    const headers = { "x-forwarded-for": "203.0.113.7" };
    await clientCredentials(s, { headers });
    const answer = await clientCredentials(s, { headers });
    expect(server.fastifyTokenRequests()).toBe(before + 2);
    const event = await signInOf(t, s.tenant.id, answer.headers["x-request-id"] as string);
    expect(event?.ipAddress).toBe("203.0.113.7");
  });
});
