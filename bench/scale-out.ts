import { randomBytes } from "node:crypto";
import type { SystemDescriptor } from "./lib/http-flow.ts";
import { CONTROL_PATH } from "./lib/round-robin-proxy.ts";
import { type ServerProcess, startServer } from "./lib/server-process.ts";
import {
  type RunningSystem,
  SCENARIOS,
  type Scenario,
  type StartContext,
  type SystemSpec,
  scratchDatabase,
} from "./oauth.ts";

/**
 * Issue 10's scale-out scenarios: two Assent nodes on one PostgreSQL behind a round-robin proxy
 * (bench/lib/round-robin-proxy.ts, its own process), against one node behind the same proxy,
 * measured in alternating rounds; the proxy's upstreams are switched before each round. Both
 * nodes share the key ring, the secret key and the public URL (the proxy's), as a deployment
 * does; a flow's requests land on either node (no stickiness).
 */
export const SCALE_OUT_NOTE =
  "Scale-out on this machine: both nodes, the proxy, the load generator and PostgreSQL share the same 2 cores, so a second node cannot add CPU. The ratio shows what being stateless costs (each node its own caches and version reads, a flow's requests spread over both), not a speed-up; on separate machines the nodes would add capacity until PostgreSQL is the limit. The ratio column is two nodes ÷ one.";

interface Cluster {
  descriptor: SystemDescriptor;
  nodes: Array<ServerProcess<SystemDescriptor>>;
  database: string;
  use(nodes: 1 | 2): Promise<void>;
  stop(): Promise<void>;
}

async function startCluster(context: StartContext): Promise<Cluster> {
  if (!context.postgresUrl) throw new Error("the scale-out scenarios need PostgreSQL");
  const scratch = await scratchDatabase(context.postgresUrl);
  const started: Array<ServerProcess<unknown>> = [];
  try {
    const proxy = await startServer<{ base: string }>("round-robin-proxy.ts", {});
    started.push(proxy);
    const shared = {
      BENCH_DATABASE_URL: scratch.url,
      BENCH_PUBLIC_URL: proxy.descriptor.base,
      BENCH_SECRET_KEY: randomBytes(32).toString("base64"),
      BENCH_KEYRING_KEY: randomBytes(32).toString("base64"),
    };
    // One after the other: the first creates the tenant, the second finds it.
    const first = await startServer<SystemDescriptor>("assent.ts", shared, context.nodeArgs);
    started.push(first);
    const second = await startServer<SystemDescriptor>(
      "assent.ts",
      { ...shared, BENCH_JOIN: "1" },
      context.nodeArgs,
    );
    started.push(second);
    const nodeUrl = (n: ServerProcess<SystemDescriptor>) => `http://127.0.0.1:${n.descriptor.port}`;
    return {
      descriptor: first.descriptor,
      nodes: [first, second],
      database: scratch.name,
      async use(nodes) {
        const upstreams = (nodes === 2 ? [first, second] : [first]).map(nodeUrl);
        const r = await fetch(`${proxy.descriptor.base}${CONTROL_PATH}`, {
          method: "PUT",
          body: JSON.stringify(upstreams),
        });
        if (r.status !== 204) throw new Error(`proxy refused its upstreams: ${await r.text()}`);
      },
      async stop() {
        for (const p of started.reverse()) await p.stop();
        await scratch.drop();
      },
    };
  } catch (error) {
    for (const p of started.reverse()) await p.stop();
    await scratch.drop();
    throw error;
  }
}

/** Two systems over one cluster: two nodes (first, so the ratio is two ÷ one) and one node. */
function clusterSystems(): SystemSpec[] {
  let cluster: Promise<Cluster> | undefined;
  let stopped = 0;
  const spec = (nodes: 1 | 2): SystemSpec => ({
    script: "assent.ts",
    name: nodes === 2 ? "Assent, 2 nodes behind the proxy" : "Assent, 1 node behind the proxy",
    async start(context): Promise<RunningSystem> {
      cluster ??= startCluster(context);
      const c = await cluster;
      return {
        descriptor: c.descriptor,
        // CPU: both nodes' (the second idles when unused); peak RSS: the larger node's.
        processes: nodes === 2 ? c.nodes : [c.nodes[0]!],
        database: c.database,
        beforeRound: () => c.use(nodes),
        async stop() {
          if (++stopped === 2) await c.stop();
        },
      };
    },
  });
  return [spec(2), spec(1)];
}

export const SCALE_OUT_SCENARIOS: Scenario[] = SCENARIOS.slice(0, 2).map((scenario) => ({
  ...scenario,
  name: `scale-out: ${scenario.name}`,
  systems: clusterSystems,
  peers: [],
  note: SCALE_OUT_NOTE,
}));
