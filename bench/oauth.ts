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
  /** The scenarios to run; default issue 3's three (SCENARIOS). */
  scenarios?: Scenario[];
  /** Which peers to start (`--oauth` leaves better-auth out); default all the scenario names. */
  peerFilter?: (peer: SystemSpec) => boolean;
}

/**
 * A system under test. By default it is one server script started on a scratch database of
 * its own; `start` replaces that for systems made of several processes (the Mail service and
 * the Identity that issues its tokens; two Assent nodes behind a proxy).
 */
export interface SystemSpec {
  script: string;
  name: string;
  /** better-auth has no PGlite dialect built in: it runs on PostgreSQL only. */
  postgresOnly?: boolean;
  start?: (context: StartContext) => Promise<RunningSystem>;
}

export interface StartContext {
  postgresUrl: string | undefined;
  nodeArgs: string[];
}

/** A started system: the processes measured (CPU summed, peak RSS the largest of them). */
export interface RunningSystem {
  descriptor: SystemDescriptor;
  processes: Array<ServerProcess<unknown>>;
  /** Its scratch database's name (PostgreSQL), whose backends' CPU is measured too. */
  database: string | undefined;
  /** Called before each of its measured rounds (the scale-out proxy's upstreams are set). */
  beforeRound?: () => Promise<void>;
  stop: () => Promise<void>;
}

export const ASSENT: SystemSpec = { script: "assent.ts", name: "Assent" };
export const BARE_OIDC_PROVIDER: SystemSpec = {
  script: "bare-oidc-provider.ts",
  name: "oidc-provider (bare)",
};
export const BETTER_AUTH: SystemSpec = {
  script: "better-auth.ts",
  name: "better-auth",
  postgresOnly: true,
};

/** Assent and the bare oidc-provider: the OAuth pair of issue 3 (`--oauth`, bench/queries.ts). */
export const SYSTEMS = [ASSENT, BARE_OIDC_PROVIDER];

export type Scenario = {
  name: string;
  unit: string;
  setup: (d: SystemDescriptor) => Promise<unknown>;
  iteration: (d: SystemDescriptor, state: any) => Promise<void>;
  /**
   * The peers measured beside Assent and the ratio of Assent to each that the issue sets as a
   * target (none: the figure is shown for comparison only). Default: the OAuth peers.
   */
  peers?: Array<{ system: SystemSpec; target?: number }>;
  /** Replaces Assent as the first system (the scale-out scenarios: one node, then two). */
  systems?: () => SystemSpec[];
  /** Printed under the scenario's table. */
  note?: string;
  /**
   * Shortest measured round (and first warm-up): an iteration of the password flow takes
   * seconds on a loaded machine, longer than a quick run's one-second rounds.
   */
  minRoundMs?: number;
};

/** Issue 10's targets: >= 0.8x the bare oidc-provider, >= 1.0x better-auth. */
export const OAUTH_PEERS = [
  { system: BARE_OIDC_PROVIDER, target: 0.8 },
  { system: BETTER_AUTH, target: 1.0 },
];

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

/** A signed-in session's opaque access token for userinfo (OIDC scopes only, no resource). */
async function userinfoToken(d: SystemDescriptor): Promise<string> {
  const plain = { ...d, authorizeExtra: undefined };
  const p = pkce();
  const code = await authorizeForCode(plain, new CookieJar(), p.challenge, {
    scope: d.userinfoScope ?? "openid",
  });
  const tokens = await exchangeCode(plain, code, p.verifier);
  if (!tokens.access_token) throw new Error(`no access token from ${d.system}`);
  return tokens.access_token;
}

/** The raw argon2id verify rate (same parameters as Assent's), measured in the same run. */
export const ARGON2_RAW: SystemSpec = {
  script: "argon2-verify.ts",
  name: "raw argon2id verify (@node-rs/argon2)",
};

/**
 * Issue 10's scenarios beyond issue 3's three: introspection, userinfo, and the full password
 * sign-in flow (bounded by argon2id: reported against the raw verify rate of the same run).
 */
export const MORE_SCENARIOS: Scenario[] = [
  {
    name: "token introspection (opaque access token)",
    unit: "introspections/s",
    setup: async (d) => ({ token: await userinfoToken(d) }),
    async iteration(d, state: { token: string }) {
      if (!d.introspectionEndpoint) throw new Error(`${d.system} has no introspection`);
      const r = await postForm(
        d.introspectionEndpoint,
        { token: state.token, token_type_hint: "access_token" },
        undefined,
        basicAuth(d),
      );
      const body = (await r.json()) as { active?: boolean };
      if (r.status !== 200 || body.active !== true)
        throw new Error(`introspection ${r.status}: ${JSON.stringify(body).slice(0, 200)}`);
    },
    peers: [
      { system: BARE_OIDC_PROVIDER, target: 0.8 },
      { system: BETTER_AUTH, target: 1.0 },
    ],
  },
  {
    name: "userinfo",
    unit: "requests/s",
    setup: async (d) => ({ token: await userinfoToken(d) }),
    async iteration(d, state: { token: string }) {
      if (!d.userinfoEndpoint) throw new Error(`${d.system} has no userinfo`);
      const r = await fetch(d.userinfoEndpoint, {
        headers: { authorization: `Bearer ${state.token}` },
      });
      const body = (await r.json()) as { sub?: string };
      if (r.status !== 200 || !body.sub)
        throw new Error(`userinfo ${r.status}: ${JSON.stringify(body).slice(0, 200)}`);
    },
    peers: [{ system: BARE_OIDC_PROVIDER }, { system: BETTER_AUTH, target: 1.0 }],
  },
  {
    name: "password sign-in flow (authorize -> sign-in page -> password -> code -> token)",
    unit: "sign-ins/s",
    setup: async () => ({}),
    async iteration(d) {
      if (d.argon2VerifyUrl) {
        const r = await fetch(d.argon2VerifyUrl, { method: "POST" });
        await r.arrayBuffer();
        if (r.status !== 204) throw new Error(`argon2id verify ${r.status}`);
        return;
      }
      // A fresh browser each time: no session, so the password is checked (one argon2id verify).
      const p = pkce();
      const code = await authorizeForCode(d, new CookieJar(), p.challenge);
      const tokens = await exchangeCode(d, code, p.verifier);
      if (!tokens.access_token) throw new Error("no access token");
    },
    minRoundMs: 5_000,
    // The bare oidc-provider has no password: its interaction signs the bench user in blindly.
    peers: [
      { system: BETTER_AUTH, target: 1.0 },
      { system: ARGON2_RAW, target: 0.7 },
    ],
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

/** Starts one server script on a scratch database of its own (PGlite in memory without one). */
export async function startOnScratch(
  script: string,
  context: StartContext,
  env: Record<string, string> = {},
): Promise<RunningSystem> {
  const scratch = context.postgresUrl ? await scratchDatabase(context.postgresUrl) : undefined;
  try {
    const server = await startServer<SystemDescriptor>(
      script,
      { ...(scratch ? { BENCH_DATABASE_URL: scratch.url } : {}), ...env },
      context.nodeArgs,
    );
    return {
      descriptor: server.descriptor,
      processes: [server],
      database: scratch?.name,
      async stop() {
        await server.stop();
        await scratch?.drop();
      },
    };
  } catch (error) {
    await scratch?.drop();
    throw error;
  }
}

/** The systems of a scenario on this database: Assent (or its replacement) first, then peers. */
export function systemsOf(
  scenario: Scenario,
  options: Pick<OAuthBenchOptions, "postgresUrl" | "peerFilter">,
): Array<{ spec: SystemSpec; target?: number }> {
  const first = (scenario.systems?.() ?? [ASSENT]).map((spec) => ({ spec }));
  const peers = (scenario.peers ?? OAUTH_PEERS)
    .filter((p) => options.postgresUrl || !p.system.postgresOnly)
    .filter((p) => options.peerFilter?.(p.system) ?? true)
    .map((p) => ({ spec: p.system, ...(p.target === undefined ? {} : { target: p.target }) }));
  return [...first, ...peers];
}

/**
 * Each scenario starts every system (own process, own scratch database), then measures them in
 * alternating rounds (A B C, C B A, A B C, ...), so a burst of other work on the machine lands
 * on all rather than on whichever happened to run then; each system's figure merges its rounds.
 */
export async function runOAuthBench(
  options: OAuthBenchOptions,
  log: (line: string) => void,
): Promise<ScenarioResult[]> {
  // A full run measures steady state: each server gets 10 s of load first (a bigger code base
  // takes longer for V8 to compile optimised; with 3 s, rounds still grew faster round by round,
  // the peer's most), then 6 rounds of 3 s.
  const timing = options.quick
    ? { rounds: 3, warmupMs: 1_000, durationMs: 3_000 }
    : { rounds: 6, warmupMs: 10_000, durationMs: 18_000 };
  const context: StartContext = {
    postgresUrl: options.postgresUrl,
    nodeArgs: options.nodeArgs ?? [],
  };
  const results: ScenarioResult[] = [];
  for (const scenario of options.scenarios ?? SCENARIOS) {
    if (options.only && !scenario.name.includes(options.only)) continue;
    const systems = systemsOf(scenario, options);
    const running: Array<{
      name: string;
      target: number | undefined;
      system: RunningSystem;
      rounds: LoadResult[];
      latencies: number[];
      peakRssMb: number;
      databaseCpuMs: number;
    }> = [];
    try {
      for (const { spec, target } of systems) {
        const system = await (spec.start ?? ((c) => startOnScratch(spec.script, c)))(context);
        running.push({
          name: spec.name,
          target,
          system,
          rounds: [],
          latencies: [],
          peakRssMb: 0,
          databaseCpuMs: 0,
        });
      }
      for (let round = 0; round < timing.rounds; round++) {
        const order = round % 2 === 0 ? running : [...running].reverse();
        for (const measured of order) {
          const { system } = measured;
          const d = system.descriptor;
          await system.beforeRound?.();
          for (const p of system.processes) p.resetPeak();
          // runLoad reads the server's CPU when measuring starts and stops: the database's too.
          const databaseReadings: Array<Map<number, number>> = [];
          measured.rounds.push(
            await runLoad({
              concurrency: options.concurrency,
              // The first round warms each server up (JIT, pools); later ones only refill.
              warmupMs: round === 0 ? Math.max(timing.warmupMs, scenario.minRoundMs ?? 0) : 500,
              durationMs: Math.max(timing.durationMs / timing.rounds, scenario.minRoundMs ?? 0),
              setup: () => scenario.setup(d),
              iteration: (state) => scenario.iteration(d, state),
              latencies: measured.latencies,
              serverCpuMs: () => {
                if (system.database) databaseReadings.push(databaseCpu(system.database));
                return system.processes.reduce((ms, p) => ms + p.cpuMs(), 0);
              },
            }),
          );
          const [before, after] = databaseReadings;
          if (before && after) measured.databaseCpuMs += cpuBetween(before, after);
          for (const p of system.processes)
            measured.peakRssMb = Math.max(measured.peakRssMb, p.peakRssMb());
        }
      }
    } finally {
      for (const { system } of running) await system.stop();
    }
    const figures: SystemFigure[] = running.map((measured) => {
      const result = mergeRounds(measured.rounds, measured.latencies);
      const databaseCpuMsPerIteration = measured.system.database
        ? measured.databaseCpuMs / Math.max(result.completions, 1)
        : undefined;
      const database =
        databaseCpuMsPerIteration === undefined
          ? ""
          : `, database CPU ${databaseCpuMsPerIteration.toFixed(2)} ms each`;
      log(
        `  ${scenario.name} — ${measured.name}: ${result.perSecond.toFixed(1)} ${scenario.unit} (rounds ${measured.rounds.map((r) => r.perSecond.toFixed(0)).join(" ")}; server CPU ${result.cpuMsPerIteration?.toFixed(2)} ms each${database}; p99 ${result.p99Ms.toFixed(1)} ms, ${result.errors} errors${result.firstError ? `: ${result.firstError.slice(0, 240)}` : ""})`,
      );
      return {
        system: measured.name,
        ...result,
        peakRssMb: measured.peakRssMb,
        ...(databaseCpuMsPerIteration === undefined ? {} : { databaseCpuMsPerIteration }),
      };
    });
    const targets = running.flatMap((m) =>
      m.target === undefined ? [] : [{ system: m.name, ratio: m.target }],
    );
    results.push({
      scenario: scenario.name,
      unit: scenario.unit,
      figures,
      ...(targets[0] && figures[1]?.system === targets[0].system
        ? { target: targets[0].ratio }
        : {}),
      targets,
      ...(scenario.note ? { note: scenario.note } : {}),
    });
  }
  return results;
}
