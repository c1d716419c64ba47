import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import type { LoadResult } from "./load.ts";

export interface SystemFigure extends LoadResult {
  system: string;
  peakRssMb: number;
}

export interface ScenarioResult {
  scenario: string;
  unit: string;
  /** Assent's figure first, then each peer's. */
  figures: SystemFigure[];
  /** Target ratio of Assent to the first peer, when the issue sets one. */
  target?: number;
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

/**
 * One table per scenario: figure, latency, server CPU time per completed iteration (the
 * server process only, not its database), errors, peak RSS, and the ratio to Assent.
 */
export function formatScenario(result: ScenarioResult): string {
  const assent = result.figures[0]!;
  const rows = result.figures.map((f) => {
    const ratio = f === assent ? "1.00x" : `${fmt(assent.perSecond / f.perSecond, 2)}x`;
    return `| ${f.system} | ${fmt(f.perSecond, 1)} ${result.unit} | ${fmt(f.p50Ms, 1)} | ${fmt(f.p99Ms, 1)} | ${fmt(f.cpuMsPerIteration ?? Number.NaN, 2)} | ${f.errors} | ${fmt(f.peakRssMb)} MB | ${ratio} |`;
  });
  const peer = result.figures[1];
  const verdict =
    peer && result.target !== undefined
      ? assent.perSecond / peer.perSecond >= result.target
        ? `meets target >= ${result.target}x of ${peer.system}`
        : `BELOW target >= ${result.target}x of ${peer.system}`
      : "";
  return [
    `### ${result.scenario}${verdict ? ` — ${verdict}` : ""}`,
    "",
    "| system | throughput | p50 ms | p99 ms | server CPU ms each | errors | peak RSS | Assent ÷ system |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}

export function machineDescription(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`;
}

/** Writes `bench/results/<name>-<timestamp>.json` and `bench/results/latest.md`. */
export function writeResults(
  name: string,
  results: ScenarioResult[],
  meta: Record<string, unknown>,
): string {
  const dir = resolve(import.meta.dirname, "..", "results");
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  writeFileSync(resolve(dir, `${name}-${stamp}.json`), JSON.stringify({ meta, results }, null, 2));
  const markdown = [
    `# Benchmark: ${name}`,
    "",
    `${new Date().toISOString()} — ${machineDescription()}`,
    "",
    ...Object.entries(meta).map(
      ([k, v]) => `- ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`,
    ),
    "",
    ...results.map(formatScenario),
  ].join("\n");
  writeFileSync(resolve(dir, "latest.md"), markdown);
  return markdown;
}
