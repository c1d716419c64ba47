import type { LookupAddress } from "node:dns";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChallenge } from "../../src/connect/webhooks/challenge.ts";
import { createGuardedLookup } from "../../src/platform/webhooks/index.ts";

/**
 * Regression: the challenge GET that verifies a webhook URL went out through plain fetch, so a
 * name resolving to a loopback (in production) or link-local address was reached, though
 * deliveries to it are refused. It now goes through the deliveries' address guard.
 */
describe("the webhook challenge GET is address-guarded", () => {
  let server: Server;
  let port: number;
  const challenged: string[] = [];
  beforeAll(async () => {
    // A real receiver on loopback that answers every challenge and remembers it was asked.
    server = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://receiver");
      challenged.push(url.pathname);
      response.end(url.searchParams.get("challenge") ?? "");
    });
    port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => {
        const a = server.address();
        resolve(typeof a === "object" && a ? a.port : 0);
      }),
    );
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** The deliveries' guard, with a resolver that answers `address` for every name. */
  const resolvingTo = (address: string, allowLoopback: boolean) =>
    createGuardedLookup({ allowLoopback }, (_name, _options, callback) =>
      callback(null, [{ address, family: 4 } satisfies LookupAddress]),
    );

  it("verifies a loopback receiver outside production, by address and by a name resolving there", async () => {
    await verifyChallenge(`http://127.0.0.1:${port}/by-address`, { allowLoopback: true });
    await verifyChallenge(`http://hooks.localhost:${port}/by-name`, {
      allowLoopback: true,
      lookup: resolvingTo("127.0.0.1", true),
    });
    expect(challenged).toEqual(["/by-address", "/by-name"]);
  });

  it("refuses a name resolving to a link-local address (cloud metadata), even in development", async () => {
    const before = challenged.length;
    await expect(
      verifyChallenge(`https://metadata.example.test:${port}/latest`, {
        allowLoopback: true,
        lookup: resolvingTo("169.254.169.254", true),
      }),
    ).rejects.toMatchObject({
      status: 400,
      message:
        "webhook_url: refused to connect: metadata.example.test resolves to 169.254.169.254 is a link-local address (this includes cloud metadata services).",
    });
    expect(challenged.length).toBe(before);
  });

  it("refuses a name resolving to loopback in production, and the receiver is never asked", async () => {
    const before = challenged.length;
    await expect(
      verifyChallenge(`https://hooks.example.test:${port}/prod`, {
        allowLoopback: false,
        lookup: resolvingTo("127.0.0.1", false),
      }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining(
        "hooks.example.test resolves to 127.0.0.1 is a loopback address (this machine)",
      ),
    });
    expect(challenged.length).toBe(before);
  });

  it("uses the deliveries' guard by default: no lookup given, a name that does not resolve fails in words", async () => {
    await expect(
      verifyChallenge("https://no-such-host.invalid/hooks", { allowLoopback: false }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/^webhook_url did not answer the challenge: .*no-such-host/),
    });
  });
});
