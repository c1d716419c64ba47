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
  /** Every target ratio of Assent (the first figure) to a system of the table, by its name. */
  targets?: Array<{ system: string; ratio: number }>;
  /** Printed under the table (what the figures mean, when it is not obvious). */
  note?: string;
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
  const targets =
    result.targets ??
    (result.target !== undefined && result.figures[1]
      ? [{ system: result.figures[1].system, ratio: result.target }]
      : []);
  const verdicts = targets.flatMap(({ system, ratio }) => {
    const peer = result.figures.find((f) => f.system === system);
    if (!peer) return [];
    const met = assent.perSecond / peer.perSecond >= ratio;
    return [`${met ? "meets" : "BELOW"} target >= ${ratio}x of ${system}`];
  });
  return [
    `### ${result.scenario}${verdicts.length > 0 ? ` — ${verdicts.join("; ")}` : ""}`,
    "",
    "| system | throughput | p50 ms | p99 ms | server CPU ms each | errors | peak RSS | Assent ÷ system |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    ...(result.note ? [result.note, ""] : []),
  ].join("\n");
}

/** Issue 10: one Assent node under load stays within this resident memory. */
export const ASSENT_NODE_RSS_LIMIT_MB = 300;

/** Every target of the run in one table: scenario, peer, target, measured ratio, met. */
export function formatTargets(results: ScenarioResult[]): string {
  const rows = results.flatMap((r) => {
    const assent = r.figures[0]!;
    return (r.targets ?? []).flatMap(({ system, ratio }) => {
      const peer = r.figures.find((f) => f.system === system);
      if (!peer) return [];
      const measured = assent.perSecond / peer.perSecond;
      return [
        `| ${r.scenario} | ${system} | >= ${ratio}x | ${fmt(measured, 2)}x | ${measured >= ratio ? "yes" : "**no**"} |`,
      ];
    });
  });
  return [
    "### Targets",
    "",
    "| scenario | against | target | Assent ÷ it | met |",
    "|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}

/**
 * The largest peak RSS of one Assent Identity node over the run's scenarios (in the two-node
 * figure, the larger of the two), against the limit; the Mail service's process beside it.
 */
export function formatRssTarget(results: ScenarioResult[], limitMb: number): string {
  const largest = (match: (system: string) => boolean) =>
    results
      .flatMap((r) => r.figures.filter((f) => match(f.system)).map((f) => ({ r, f })))
      .reduce<{ r: ScenarioResult; f: SystemFigure } | undefined>(
        (a, b) => (a && a.f.peakRssMb >= b.f.peakRssMb ? a : b),
        undefined,
      );
  const identity = largest((s) => s === "Assent" || s.startsWith("Assent, "));
  const mail = largest((s) => s.startsWith("Assent Mail"));
  const parts: string[] = [];
  if (identity) {
    const met = identity.f.peakRssMb <= limitMb;
    parts.push(
      `Peak RSS of one Assent Identity node under load: ${fmt(identity.f.peakRssMb)} MB (${identity.r.scenario}) — target <= ${limitMb} MB ${met ? "met" : "NOT met"}.`,
    );
  }
  if (mail) parts.push(`Assent Mail's process: ${fmt(mail.f.peakRssMb)} MB.`);
  return parts.join(" ");
}

export function machineDescription(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`;
}

/**
 * Writes `bench/results/<name>-<timestamp>.json` and `bench/results/latest.md` (the Markdown
 * summary: the scenario tables, then `sections`, which go into the JSON too).
 */
export function writeResults(
  name: string,
  results: ScenarioResult[],
  meta: Record<string, unknown>,
  sections: string[] = [],
): string {
  const dir = resolve(import.meta.dirname, "..", "results");
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  writeFileSync(
    resolve(dir, `${name}-${stamp}.json`),
    JSON.stringify({ meta, results, sections }, null, 2),
  );
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
    ...sections,
  ].join("\n");
  writeFileSync(resolve(dir, "latest.md"), markdown);
  return markdown;
}
