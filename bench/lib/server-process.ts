import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { SEMI_SPACE_FLAG } from "../../bin/node-flags.js";

/**
 * A system under test in its own process. The script prints one line `READY <json>` when it
 * listens; its resident memory is sampled from /proc so the peak under load is reported.
 */
// USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux this runs on.
const CLOCK_TICKS = 100;

export interface ServerProcess<D> {
  descriptor: D;
  pid: number;
  peakRssMb: () => number;
  resetPeak: () => void;
  /** CPU time (user + system) the server process has used so far, in milliseconds. */
  cpuMs: () => number;
  stop: () => Promise<void>;
}

export async function startServer<D>(
  script: string,
  env: Record<string, string>,
  /** Extra Node options for the server, e.g. `--cpu-prof` (see run.ts `--profile`). */
  nodeArgs: string[] = [],
): Promise<ServerProcess<D>> {
  // Assent's servers run as `assent start` / `assent serve` run them (bin/assent.js): with
  // V8's young generation capped at 16 MB per semi-space. The peers run with Node's defaults.
  const deployed = script.startsWith("assent") ? [SEMI_SPACE_FLAG] : [];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...deployed,
      ...nodeArgs,
      "--import",
      "tsx",
      resolve(import.meta.dirname, "..", "servers", script),
    ],
    { env: { ...process.env, ...env, LOG_LEVEL: "silent" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const descriptor = await new Promise<D>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${script} did not start:\n${output}`)), 120_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((l) => l.startsWith("READY "));
      if (line) {
        clearTimeout(timer);
        done(JSON.parse(line.slice(6)) as D);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`${script} exited (${code}):\n${output}`));
    });
  });
  let peak = 0;
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb / 1024);
    } catch {
      // the process is gone
    }
  };
  const sampler = setInterval(sample, 100);
  return {
    descriptor,
    pid: child.pid ?? 0,
    peakRssMb: () => {
      sample();
      return peak;
    },
    resetPeak: () => {
      peak = 0;
    },
    cpuMs: () => {
      try {
        // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime, stime.
        const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
      } catch {
        return Number.NaN;
      }
    },
    async stop() {
      clearInterval(sampler);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
