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
}

export interface LoadResult {
  completions: number;
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
  await sleep(options.durationMs);
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(running);
  latencies.sort((a, b) => a - b);
  return {
    completions: latencies.length,
    errors,
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
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
