import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The scale-out benchmark's load balancer: a plain HTTP reverse proxy that sends each request
 * to the next upstream in turn (no stickiness: a flow's requests land on different nodes, which
 * is what a stateless deployment must survive). The Host header is passed through, so every
 * node sees the public URL it was configured with. `PUT /.bench-proxy/upstreams` with a JSON
 * array of base URLs replaces the upstreams between measured rounds (one node, then two).
 */
export interface RoundRobinProxy {
  url: string;
  setUpstreams(upstreams: string[]): void;
  /** How many requests each upstream has been sent (by base URL). */
  counts(): Map<string, number>;
  close(): Promise<void>;
}

export const CONTROL_PATH = "/.bench-proxy/upstreams";

export async function startRoundRobinProxy(initial: string[] = []): Promise<RoundRobinProxy> {
  let upstreams = initial.map((u) => new URL(u));
  let next = 0;
  const counts = new Map<string, number>();
  // Keep-alive to the nodes, as a real balancer pools its upstream connections.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server: Server = createServer((req, res) => {
    if (req.url === CONTROL_PATH && req.method === "PUT") {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        try {
          const list = JSON.parse(body) as unknown;
          if (!Array.isArray(list) || !list.every((u) => typeof u === "string"))
            throw new Error("a JSON array of base URLs");
          upstreams = list.map((u) => new URL(u));
          res.statusCode = 204;
          res.end();
        } catch (error) {
          res.statusCode = 400;
          res.end(`Send ${(error as Error).message}.`);
        }
      });
      return;
    }
    const upstream = upstreams[next++ % Math.max(upstreams.length, 1)];
    if (!upstream) {
      res.statusCode = 503;
      res.end("The bench proxy has no upstreams yet: PUT a list to /.bench-proxy/upstreams.");
      return;
    }
    counts.set(upstream.origin, (counts.get(upstream.origin) ?? 0) + 1);
    const forwarded = request(
      {
        agent,
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    forwarded.on("error", (error) => {
      if (res.headersSent) {
        res.destroy(error);
        return;
      }
      res.statusCode = 502;
      res.end(`The upstream ${upstream.origin} failed: ${error.message}`);
    });
    req.pipe(forwarded);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    setUpstreams(list) {
      upstreams = list.map((u) => new URL(u));
    },
    counts: () => new Map(counts),
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
