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
import { runLoad } from "./lib/load.ts";
import type { ScenarioResult, SystemFigure } from "./lib/report.ts";
import { startServer } from "./lib/server-process.ts";

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
}

const SYSTEMS = [
  { script: "assent.ts", name: "Assent" },
  { script: "bare-oidc-provider.ts", name: "oidc-provider (bare)" },
];

type Scenario = {
  name: string;
  unit: string;
  setup: (d: SystemDescriptor) => Promise<unknown>;
  iteration: (d: SystemDescriptor, state: any) => Promise<void>;
};

const SCENARIOS: Scenario[] = [
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

async function scratchDatabase(
  adminUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `assent_bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function runOAuthBench(
  options: OAuthBenchOptions,
  log: (line: string) => void,
): Promise<ScenarioResult[]> {
  const timing = options.quick
    ? { warmupMs: 1_000, durationMs: 3_000 }
    : { warmupMs: 3_000, durationMs: 10_000 };
  const results: ScenarioResult[] = [];
  for (const scenario of SCENARIOS) {
    const figures: SystemFigure[] = [];
    for (const system of SYSTEMS) {
      const scratch = options.postgresUrl ? await scratchDatabase(options.postgresUrl) : undefined;
      const server = await startServer<SystemDescriptor>(
        system.script,
        scratch ? { BENCH_DATABASE_URL: scratch.url } : {},
      );
      try {
        const d = server.descriptor;
        server.resetPeak();
        const result = await runLoad({
          concurrency: options.concurrency,
          ...timing,
          setup: () => scenario.setup(d),
          iteration: (state) => scenario.iteration(d, state),
        });
        figures.push({ system: system.name, ...result, peakRssMb: server.peakRssMb() });
        log(
          `  ${scenario.name} — ${system.name}: ${result.perSecond.toFixed(1)} ${scenario.unit} (p99 ${result.p99Ms.toFixed(1)} ms, ${result.errors} errors${result.firstError ? `: ${result.firstError}` : ""})`,
        );
      } finally {
        await server.stop();
        await scratch?.drop();
      }
    }
    results.push({ scenario: scenario.name, unit: scenario.unit, figures, target: 0.8 });
  }
  return results;
}
