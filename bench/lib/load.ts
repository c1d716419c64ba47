/**
 * A closed-loop load generator: `concurrency` workers each run `iteration` back to back for
 * the duration, after a warm-up whose results are discarded. Runs in the harness process,
 * never in the server's. Each iteration may be several HTTP requests (a whole flow), which
 * autocannon cannot express.
 */
export interface LoadOptions<W> {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Prepares one worker's state (e.g. a signed-in session); not measured. */
  setup: (worker: number) => Promise<W>;
  /** One measured unit of work: a token, a flow completion. Throw on a wrong answer. */
  iteration: (state: W) => Promise<void>;
  /** Receives every measured latency (ms), so rounds can be merged (see mergeRounds). */
  latencies?: number[];
  /** The server's CPU time so far (ms), read when measuring starts and stops. */
  serverCpuMs?: () => number;
}

export interface LoadResult {
  completions: number;
  /** Seconds measured. */
  seconds?: number;
  /** Server CPU time per completion (ms): steadier than throughput on a shared machine. */
  cpuMsPerIteration?: number;
  /** Server CPU time measured (ms). */
  serverCpuMs?: number;
  errors: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  firstError?: string;
}

export async function runLoad<W>(options: LoadOptions<W>): Promise<LoadResult> {
  const states = await Promise.all(
    Array.from({ length: options.concurrency }, (_, i) => options.setup(i)),
  );
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let measuring = false;
  let stop = false;
  const worker = async (state: W) => {
    while (!stop) {
      const started = performance.now();
      try {
        await options.iteration(state);
        if (measuring) latencies.push(performance.now() - started);
      } catch (error) {
        if (measuring) errors++;
        firstError ??= (error as Error).message;
      }
    }
  };
  const running = states.map(worker);
  await sleep(options.warmupMs);
  measuring = true;
  const started = performance.now();
  const cpuBefore = options.serverCpuMs?.() ?? Number.NaN;
  await sleep(options.durationMs);
  measuring = false;
  const cpu = (options.serverCpuMs?.() ?? Number.NaN) - cpuBefore;
  const elapsed = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(running);
  options.latencies?.push(...latencies);
  latencies.sort((a, b) => a - b);
  return {
    completions: latencies.length,
    seconds: elapsed,
    ...(Number.isFinite(cpu)
      ? { serverCpuMs: cpu, cpuMsPerIteration: cpu / Math.max(latencies.length, 1) }
      : {}),
    errors,
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    ...(firstError ? { firstError } : {}),
  };
}

/**
 * One figure from several measurement rounds of the same system: completions over the time
 * measured, latency percentiles over every round's samples.
 */
export function mergeRounds(rounds: LoadResult[], latencies: number[]): LoadResult {
  const completions = rounds.reduce((n, r) => n + r.completions, 0);
  const seconds = rounds.reduce((n, r) => n + (r.seconds ?? 0), 0);
  const sorted = [...latencies].sort((a, b) => a - b);
  const firstError = rounds.find((r) => r.firstError)?.firstError;
  const cpu = rounds.reduce((n, r) => n + (r.serverCpuMs ?? Number.NaN), 0);
  return {
    completions,
    seconds,
    ...(Number.isFinite(cpu) ? { serverCpuMs: cpu, cpuMsPerIteration: cpu / completions } : {}),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    perSecond: completions / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    ...(firstError ? { firstError } : {}),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
