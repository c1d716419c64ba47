import type { LookupAddress } from "node:dns";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { postWebhook } from "../../src/platform/webhooks/http-post.ts";
import {
  addressProblem,
  createGuardedLookup,
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  webhookSignature,
  webhookTargetProblem,
} from "../../src/platform/webhooks/index.ts";

const production = { allowLoopback: false };
const development = { allowLoopback: true };

describe("webhook target validation", () => {
  it.each([
    "https://hooks.contoso.example/assent",
    "https://hooks.contoso.example:8443/a?b=c",
    "https://93.184.215.14/hook",
    "https://[2606:4700::6810:84e5]/hook",
  ])("accepts %s in production", (url) => {
    expect(webhookTargetProblem(url, production)).toBeUndefined();
  });

  it.each([
    ["http://hooks.contoso.example/x", /must use https/],
    ["ftp://hooks.contoso.example/x", /must use https, not ftp/],
    ["not a url", /not a valid absolute URL/],
    ["https://user:pass@hooks.contoso.example/", /user name or password/],
    ["https://localhost/x", /loopback/],
    ["https://api.localhost/x", /loopback/],
    ["https://127.0.0.1/x", /loopback/],
    ["https://2130706433/x", /loopback/], // 127.0.0.1 spelled as a number
    ["https://0x7f.1/x", /loopback/],
    ["https://[::1]/x", /loopback/],
    ["https://[::ffff:127.0.0.1]/x", /loopback/],
    ["https://10.1.2.3/x", /private-network/],
    ["https://172.20.0.1/x", /private-network/],
    ["https://192.168.1.10/x", /private-network/],
    ["https://100.64.0.1/x", /private-network/],
    ["https://[fd00::1]/x", /private-network/],
    ["https://[::ffff:10.0.0.1]/x", /private-network/],
    ["https://[64:ff9b::a00:1]/x", /private-network/], // NAT64 of 10.0.0.1
    ["https://169.254.169.254/latest/meta-data", /link-local/],
    ["https://[fe80::1]/x", /link-local/],
    ["https://0.0.0.0/x", /unspecified/],
    ["https://224.0.0.1/x", /multicast/],
    ["https://intranet/x", /fully qualified/],
  ])("refuses %s in production", (url, reason) => {
    expect(webhookTargetProblem(url, production)).toMatch(reason);
  });

  it("outside production allows loopback receivers, over http too, and nothing else private", () => {
    expect(webhookTargetProblem("http://127.0.0.1:4100/hooks", development)).toBeUndefined();
    expect(webhookTargetProblem("http://localhost:4100/hooks", development)).toBeUndefined();
    expect(webhookTargetProblem("http://[::1]:4100/hooks", development)).toBeUndefined();
    expect(webhookTargetProblem("https://localhost/hooks", development)).toBeUndefined();
    expect(webhookTargetProblem("http://hooks.contoso.example/x", development)).toMatch(/https/);
    expect(webhookTargetProblem("http://10.0.0.1/x", development)).toMatch(/private/);
    expect(webhookTargetProblem("https://169.254.169.254/", development)).toMatch(/link-local/);
    expect(webhookTargetProblem("http://0.0.0.0:4100/", development)).toMatch(/unspecified/);
  });

  it("classifies resolved addresses", () => {
    expect(addressProblem("8.8.8.8", production)).toBeUndefined();
    expect(addressProblem("2001:4860:4860::8888", production)).toBeUndefined();
    expect(addressProblem("127.0.0.53", production)).toMatch(/loopback/);
    expect(addressProblem("127.0.0.53", development)).toBeUndefined();
    expect(addressProblem("::ffff:7f00:1", production)).toMatch(/loopback/);
    expect(addressProblem("2002:a9fe:a9fe::1", production)).toMatch(/link-local/); // 6to4 of 169.254.169.254
  });
});

describe("guarded DNS lookup", () => {
  function resolverReturning(addresses: LookupAddress[]) {
    return (
      _h: string,
      _o: unknown,
      cb: (e: NodeJS.ErrnoException | null, a: LookupAddress[]) => void,
    ) => cb(null, addresses);
  }
  const call = (lookup: ReturnType<typeof createGuardedLookup>, all: boolean) =>
    new Promise<{ error: Error | null; result: unknown }>((resolve) =>
      lookup(
        "hooks.example",
        { all } as never,
        ((error: Error | null, address: unknown) => resolve({ error, result: address })) as never,
      ),
    );

  it("refuses a public name that resolves to a private address (DNS rebinding)", async () => {
    const lookup = createGuardedLookup(
      production,
      resolverReturning([
        { address: "93.184.215.14", family: 4 },
        { address: "10.0.0.7", family: 4 },
      ]),
    );
    const { error } = await call(lookup, true);
    expect(error?.message).toMatch(
      /hooks\.example resolves to 10\.0\.0\.7 is a private-network address/,
    );
  });

  it("passes public addresses through, in both callback shapes", async () => {
    const addresses = [{ address: "93.184.215.14", family: 4 }];
    const lookup = createGuardedLookup(production, resolverReturning(addresses));
    expect(await call(lookup, true)).toEqual({ error: null, result: addresses });
    expect(await call(lookup, false)).toEqual({ error: null, result: "93.184.215.14" });
  });

  it("refuses loopback resolution in production and allows it in development", async () => {
    const loop = resolverReturning([{ address: "127.0.0.1", family: 4 }]);
    expect((await call(createGuardedLookup(production, loop), false)).error?.message).toMatch(
      /loopback/,
    );
    expect((await call(createGuardedLookup(development, loop), false)).error).toBeNull();
  });
});

describe("posting through the guarded lookup", () => {
  it("refuses a name resolving to loopback at connect time, and reads only the excerpt", async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("x".repeat(100_000));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const options = (policy: { allowLoopback: boolean }) => ({
      timeoutMs: 2000,
      lookup: createGuardedLookup(policy),
      excerptBytes: 1024,
    });
    try {
      // The static check would refuse "localhost" too; this proves the connect-time check alone.
      await expect(
        postWebhook(`http://localhost:${port}/`, "{}", {}, options(production)),
      ).rejects.toThrow(/localhost resolves to .*loopback/);
      expect(hits).toBe(0);
      const result = await postWebhook(`http://localhost:${port}/`, "{}", {}, options(development));
      expect(result.status).toBe(200);
      expect(result.excerpt).toHaveLength(1024);
      expect(hits).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("Standard Webhooks signatures", () => {
  it("matches the reference library's signature for the same message", () => {
    const secret = generateWebhookSecret();
    const body = '{"type":"grant.created","timestamp":"2030-01-01T00:00:00.000Z","data":{}}';
    const at = new Date(1_900_000_000_000);
    const ours = webhookSignature(secret, "msg_abc", 1_900_000_000, body);
    expect(ours).toBe(new Webhook(secret).sign("msg_abc", at, body));
    expect(ours).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it("verifies its own headers, within the timestamp tolerance, with any of the secrets", () => {
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];
    const now = 1_900_000_000;
    const body = '{"x":1}';
    const headers = signWebhook({ id: "msg_1", timestamp: now, body, secrets: [a, b] });
    expect(verifyWebhook({ headers, body, secrets: [b], nowSeconds: now })).toBe(true);
    expect(
      verifyWebhook({ headers, body, secrets: [generateWebhookSecret()], nowSeconds: now }),
    ).toBe(false);
    expect(verifyWebhook({ headers, body: '{"x":2}', secrets: [a], nowSeconds: now })).toBe(false);
    expect(verifyWebhook({ headers, body, secrets: [a], nowSeconds: now + 301 })).toBe(false);
    expect(
      verifyWebhook({
        headers: { ...headers, "webhook-id": "msg_2" },
        body,
        secrets: [a],
        nowSeconds: now,
      }),
    ).toBe(false);
  });

  it("refuses ids with a dot and secrets without whsec_", () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(() => webhookSignature(secret, "msg.1", 1, "")).toThrow(/not \[A-Za-z0-9_-\]/);
    expect(() => webhookSignature("c2VjcmV0", "msg_1", 1, "")).toThrow(/whsec_/);
    expect(() => webhookSignature("whsec_c2VjcmV0", "msg_1", 1, "")).toThrow(/24 to 64 bytes/);
  });
});
