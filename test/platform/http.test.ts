import pino from "pino";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiError, createHttpServer } from "../../src/platform/http/index.ts";

function server(ready = async () => true) {
  const app = createHttpServer({ service: "test", logger: pino({ level: "silent" }), ready });
  app.get("/boom", async () => {
    throw new Error("secret internal detail");
  });
  app.get("/domain", async () => {
    throw new ApiError(409, "thing.conflict", "The thing exists. Pick another name.", {
      name: "x",
    });
  });
  app.post("/parse", async (request) => z.object({ n: z.number() }).parse(request.body));
  return app;
}

describe("HTTP platform", () => {
  it("answers health and readiness", async () => {
    const app = server();
    expect((await app.inject("/healthz")).json()).toEqual({ status: "ok", service: "test" });
    expect((await app.inject("/readyz")).statusCode).toBe(200);
    const down = server(async () => false);
    const r = await down.inject("/readyz");
    expect(r.statusCode).toBe(503);
    expect(r.json().status).toBe("unavailable");
  });

  it("writes every error as the envelope with the request id, never internal detail", async () => {
    const app = server();
    const boom = await app.inject("/boom");
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain("secret internal detail");
    expect(boom.json().error.code).toBe("server.internal");
    expect(boom.json().request_id).toBe(boom.headers["x-request-id"]);

    const domain = await app.inject("/domain");
    expect(domain.statusCode).toBe(409);
    expect(domain.json().error).toEqual({
      code: "thing.conflict",
      message: "The thing exists. Pick another name.",
      details: { name: "x" },
    });

    const invalid = await app.inject({ method: "POST", url: "/parse", payload: { n: "x" } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.code).toBe("request.invalid");
    expect(invalid.json().error.details[0].path).toBe("n");

    const badJson = await app.inject({
      method: "POST",
      url: "/parse",
      headers: { "content-type": "application/json" },
      payload: "{nope",
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe("request.invalid");

    const missing = await app.inject("/nowhere");
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("route.not_found");
  });

  it("sends security headers", async () => {
    const r = await server().inject("/healthz");
    expect(r.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
    expect(r.headers["referrer-policy"]).toBe("no-referrer");
  });

  it("refuses oversized bodies with a clear error", async () => {
    const r = await server().inject({
      method: "POST",
      url: "/parse",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ n: 1, pad: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(r.statusCode).toBe(413);
    expect(r.json().error.code).toBe("request.body_too_large");
  });
});
