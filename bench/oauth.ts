import { readdirSync, readFileSync } from "node:fs";
import pg from "pg";
import {
  authorizeForCode,
  basicAuth,
  CookieJar,
  exchangeCode,
  pkce,
  postForm,
  type SystemDescriptor,
} from "./lib/http-flow.ts";
import { type LoadResult, mergeRounds, runLoad } from "./lib/load.ts";
import type { ScenarioResult, SystemFigure } from "./lib/report.ts";
import { type ServerProcess, startServer } from "./lib/server-process.ts";

/**
 * Issue 3's benchmark: Assent against a bare oidc-provider configured the same way, side by
 * side in one run, on the same database kind: client-credentials tokens/s, authorization-code
 * flow completions/s with an existing session, and refresh-token rotations/s.
 */
export interface OAuthBenchOptions {
  quick: boolean;
  /** PostgreSQL admin URL to create scratch databases from; undefined = embedded PGlite. */
  postgresUrl: string | undefined;
  concurrency: number;
  /** Runs only the scenarios whose name contains this text. */
  only?: string | undefined;
  /** Extra Node options for the server processes (`--profile`: `--cpu-prof ...`). */
  nodeArgs?: string[];
}

export const SYSTEMS = [
  { script: "assent.ts", name: "Assent" },
  { script: "bare-oidc-provider.ts", name: "oidc-provider (bare)" },
];

export type Scenario = {
  name: string;
  unit: string;
  setup: (d: SystemDescriptor) => Promise<unknown>;
  iteration: (d: SystemDescriptor, state: any) => Promise<void>;
};

export const SCENARIOS: Scenario[] = [
  {
    name: "client credentials token",
    unit: "tokens/s",
    setup: async () => ({}),
    async iteration(d) {
      const r = await postForm(d.tokenEndpoint, d.clientCredentialsParams, undefined, basicAuth(d));
      const body = (await r.json()) as { access_token?: string };
      if (r.status !== 200 || !body.access_token)
        throw new Error(`client credentials ${r.status}: ${JSON.stringify(body)}`);
    },
  },
  {
    name: "authorization code flow, existing session (authorize -> code -> token)",
    unit: "flows/s",
    async setup(d) {
      const jar = new CookieJar();
      const p = pkce();
      await exchangeCode(d, await authorizeForCode(d, jar, p.challenge), p.verifier);
      return { jar };
    },
    async iteration(d, state: { jar: CookieJar }) {
      const p = pkce();
      const code = await authorizeForCode(d, state.jar, p.challenge);
      const tokens = await exchangeCode(d, code, p.verifier);
      if (!tokens.access_token) throw new Error("no access token");
    },
  },
  {
    name: "refresh token (rotation)",
    unit: "refreshes/s",
    async setup(d) {
      const jar = new CookieJar();
      const p = pkce();
      const code = await authorizeForCode(d, jar, p.challenge, d.refreshTokenParams);
      const tokens = await exchangeCode(d, code, p.verifier);
      if (!tokens.refresh_token) throw new Error(`no refresh token from ${d.system}`);
      return { refreshToken: tokens.refresh_token };
    },
    async iteration(d, state: { refreshToken: string }) {
      const r = await postForm(
        d.tokenEndpoint,
        { grant_type: "refresh_token", refresh_token: state.refreshToken },
        undefined,
        basicAuth(d),
      );
      const body = (await r.json()) as { refresh_token?: string };
      if (r.status !== 200 || !body.refresh_token)
        throw new Error(`refresh ${r.status}: ${JSON.stringify(body)}`);
      state.refreshToken = body.refresh_token;
    },
  },
];

/**
 * CPU time (user + system, ms) of each PostgreSQL backend serving `database`, read from /proc
 * (the server's title names the database: "postgres: … user database host state"). What a
 * system's queries cost the database, which the server's own CPU time leaves out: on a shared
 * machine the database's work takes the same cores.
 */
export function databaseCpu(database: string): Map<number, number> {
  const found = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (!title.startsWith("postgres: ") || !title.includes(` ${database} `)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second).
      found.set(Number(entry), (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/** CPU the database's backends used between two readings of databaseCpu. */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

export async function scratchDatabase(
  adminUrl: string,
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `assent_bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * Each scenario starts every system (own process, own scratch database), then measures them in
 * alternating rounds (A B, B A, A B, ...), so a burst of other work on the machine lands on both
 * rather than on whichever happened to run then; each system's figure merges its rounds.
 */
export async function runOAuthBench(
  options: OAuthBenchOptions,
  log: (line: string) => void,
): Promise<ScenarioResult[]> {
  const timing = options.quick
    ? { rounds: 3, warmupMs: 1_000, durationMs: 3_000 }
    : { rounds: 5, warmupMs: 3_000, durationMs: 10_000 };
  const results: ScenarioResult[] = [];
  for (const scenario of SCENARIOS) {
    if (options.only && !scenario.name.includes(options.only)) continue;
    const running: Array<{
      name: string;
      server: ServerProcess<SystemDescriptor>;
      drop: () => Promise<void>;
      rounds: LoadResult[];
      latencies: number[];
      peakRssMb: number;
      /** Its database's name (PostgreSQL only) and the CPU its backends used while measured. */
      database: string | undefined;
      databaseCpuMs: number;
    }> = [];
    try {
      for (const system of SYSTEMS) {
        const scratch = options.postgresUrl
          ? await scratchDatabase(options.postgresUrl)
          : undefined;
        try {
          const server = await startServer<SystemDescriptor>(
            system.script,
            scratch ? { BENCH_DATABASE_URL: scratch.url } : {},
            options.nodeArgs,
          );
          running.push({
            name: system.name,
            server,
            drop: async () => scratch?.drop(),
            rounds: [],
            latencies: [],
            peakRssMb: 0,
            database: scratch?.name,
            databaseCpuMs: 0,
          });
        } catch (error) {
          await scratch?.drop();
          throw error;
        }
      }
      for (let round = 0; round < timing.rounds; round++) {
        const order = round % 2 === 0 ? running : [...running].reverse();
        for (const system of order) {
          const d = system.server.descriptor;
          system.server.resetPeak();
          // runLoad reads the server's CPU when measuring starts and stops: the database's too.
          const databaseReadings: Array<Map<number, number>> = [];
          system.rounds.push(
            await runLoad({
              concurrency: options.concurrency,
              // The first round warms each server up (JIT, pools); later ones only refill.
              warmupMs: round === 0 ? timing.warmupMs : 500,
              durationMs: timing.durationMs / timing.rounds,
              setup: () => scenario.setup(d),
              iteration: (state) => scenario.iteration(d, state),
              latencies: system.latencies,
              serverCpuMs: () => {
                if (system.database) databaseReadings.push(databaseCpu(system.database));
                return system.server.cpuMs();
              },
            }),
          );
          const [before, after] = databaseReadings;
          if (before && after) system.databaseCpuMs += cpuBetween(before, after);
          system.peakRssMb = Math.max(system.peakRssMb, system.server.peakRssMb());
        }
      }
    } finally {
      for (const system of running) {
        await system.server.stop();
        await system.drop();
      }
    }
    const figures: SystemFigure[] = running.map((system) => {
      const result = mergeRounds(system.rounds, system.latencies);
      const databaseCpuMsPerIteration = system.database
        ? system.databaseCpuMs / Math.max(result.completions, 1)
        : undefined;
      const database =
        databaseCpuMsPerIteration === undefined
          ? ""
          : `, database CPU ${databaseCpuMsPerIteration.toFixed(2)} ms each`;
      log(
        `  ${scenario.name} — ${system.name}: ${result.perSecond.toFixed(1)} ${scenario.unit} (rounds ${system.rounds.map((r) => r.perSecond.toFixed(0)).join(" ")}; server CPU ${result.cpuMsPerIteration?.toFixed(2)} ms each${database}; p99 ${result.p99Ms.toFixed(1)} ms, ${result.errors} errors${result.firstError ? `: ${result.firstError}` : ""})`,
      );
      return {
        system: system.name,
        ...result,
        peakRssMb: system.peakRssMb,
        ...(databaseCpuMsPerIteration === undefined ? {} : { databaseCpuMsPerIteration }),
      };
    });
    results.push({ scenario: scenario.name, unit: scenario.unit, figures, target: 0.8 });
  }
  return results;
}
