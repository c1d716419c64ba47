import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CONTROL_PATH,
  type RoundRobinProxy,
  startRoundRobinProxy,
} from "../../bench/lib/round-robin-proxy.ts";

/** An upstream that answers with its name, the request's method, Host header and body. */
async function upstream(name: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      res.setHeader("set-cookie", [`a=${name}`, `b=${name}`]);
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({ name, method: req.method, host: req.headers.host, url: req.url, body }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("the scale-out benchmark's round-robin proxy", () => {
  let a: Awaited<ReturnType<typeof upstream>>;
  let b: Awaited<ReturnType<typeof upstream>>;
  let proxy: RoundRobinProxy;

  beforeAll(async () => {
    a = await upstream("a");
    b = await upstream("b");
    proxy = await startRoundRobinProxy();
  });
  afterAll(async () => {
    await proxy?.close();
    for (const u of [a, b]) await new Promise((r) => u?.server.close(r));
  });

  it("answers 503 with words until it has upstreams", async () => {
    const r = await fetch(`${proxy.url}/x`);
    expect(r.status).toBe(503);
    expect(await r.text()).toMatch(/no upstreams/);
  });

  it("refuses a control body that is not a list of URLs (400)", async () => {
    const r = await fetch(`${proxy.url}${CONTROL_PATH}`, { method: "PUT", body: '{"a":1}' });
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/JSON array of base URLs/);
  });

  it("sends requests to each upstream in turn, passing method, path, Host, body and headers", async () => {
    const set = await fetch(`${proxy.url}${CONTROL_PATH}`, {
      method: "PUT",
      body: JSON.stringify([a.url, b.url]),
    });
    expect(set.status).toBe(204);
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${proxy.url}/token?i=${i}`, { method: "POST", body: `n=${i}` });
      expect(r.status).toBe(200);
      expect(r.headers.getSetCookie()).toHaveLength(2);
      answers.push(
        (await r.json()) as {
          name: string;
          method: string;
          host: string;
          url: string;
          body: string;
        },
      );
    }
    // Alternating, whichever upstream came first (the 503 above advanced the turn).
    const names = answers.map((x) => x.name);
    expect(names[0]).not.toBe(names[1]);
    expect(names.slice(2)).toEqual(names.slice(0, 2));
    expect(answers[3]).toEqual({
      name: names[1],
      method: "POST",
      host: new URL(proxy.url).host,
      url: "/token?i=3",
      body: "n=3",
    });
    expect(proxy.counts().get(a.url)).toBe(2);
    expect(proxy.counts().get(b.url)).toBe(2);
  });

  it("uses the new list after a change (one node), and answers 502 when an upstream is down", async () => {
    proxy.setUpstreams([b.url]);
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${proxy.url}/`);
      expect(((await r.json()) as { name: string }).name).toBe("b");
    }
    const down = await upstream("down");
    await new Promise((r) => down.server.close(r));
    proxy.setUpstreams([down.url]);
    const r = await fetch(`${proxy.url}/`);
    expect(r.status).toBe(502);
    expect(await r.text()).toMatch(/failed/);
  });
});
