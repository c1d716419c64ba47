import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { POSTGRES_ADMIN_URL, postgresReachable } from "./lib/database-target.ts";
import type { SystemDescriptor } from "./lib/http-flow.ts";
import { runLoad, sleep } from "./lib/load.ts";
import { startServer } from "./lib/server-process.ts";
import { SCENARIOS, SYSTEMS, scratchDatabase } from "./oauth.ts";

/**
 * `node --import tsx bench/queries.ts [--pglite] [--verbose]`: database round trips per
 * iteration of each OAuth scenario, for each system, counted in the server process (see
 * lib/query-counter.ts). First with iterations one at a time after a warm-up (exact), then under
 * the benchmark's load (16 concurrent workers for 3 s), where reads that concurrent requests
 * share (Assent's tenant and cache-version read) count once.
 */
const args = new Set(process.argv.slice(2));
const ITERATIONS = 20;
const usePglite = args.has("--pglite") || !(await postgresReachable(POSTGRES_ADMIN_URL));

async function counted(
  pid: number,
  file: string,
): Promise<{ total: number; byStatement: Record<string, number> }> {
  process.kill(pid, "SIGUSR2");
  for (let i = 0; i < 50; i++) {
    await sleep(50);
    try {
      const parsed = JSON.parse(readFileSync(file, "utf8"));
      rmSync(file);
      return parsed;
    } catch {
      // not written yet
    }
  }
  throw new Error("the server did not write its query counts");
}

for (const scenario of SCENARIOS) {
  for (const system of SYSTEMS) {
    const file = join(tmpdir(), `assent-bench-queries-${process.pid}.json`);
    const scratch = usePglite ? undefined : await scratchDatabase(POSTGRES_ADMIN_URL);
    const server = await startServer<SystemDescriptor>(system.script, {
      BENCH_QUERY_LOG: file,
      ...(scratch ? { BENCH_DATABASE_URL: scratch.url } : {}),
    });
    try {
      const d = server.descriptor;
      const state = await scenario.setup(d);
      for (let i = 0; i < 5; i++) await scenario.iteration(d, state);
      await counted(server.pid, file);
      for (let i = 0; i < ITERATIONS; i++) await scenario.iteration(d, state);
      const { total, byStatement } = await counted(server.pid, file);
      // Under load: sessions for 16 workers first (not counted), then 3 s of iterations.
      const states = await Promise.all(Array.from({ length: 16 }, () => scenario.setup(d)));
      await counted(server.pid, file);
      const loaded = await runLoad({
        concurrency: 16,
        warmupMs: 0,
        durationMs: 3_000,
        setup: async (worker) => states[worker],
        iteration: (s) => scenario.iteration(d, s),
      });
      const underLoad = await counted(server.pid, file);
      // Iterations still running when the load stops add a few uncounted completions' queries.
      console.log(
        `${scenario.name} — ${system.name}: ${(total / ITERATIONS).toFixed(1)} queries per iteration one at a time, ${(underLoad.total / loaded.completions).toFixed(2)} under load`,
      );
      if (args.has("--verbose"))
        for (const [statement, n] of Object.entries(byStatement))
          console.log(`    ${(n / ITERATIONS).toFixed(2).padStart(6)}  ${statement}`);
    } finally {
      await server.stop();
      await scratch?.drop();
    }
  }
}
