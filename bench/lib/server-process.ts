import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/**
 * A system under test in its own process. The script prints one line `READY <json>` when it
 * listens; its resident memory is sampled from /proc so the peak under load is reported.
 */
export interface ServerProcess<D> {
  descriptor: D;
  peakRssMb: () => number;
  resetPeak: () => void;
  stop: () => Promise<void>;
}

export async function startServer<D>(
  script: string,
  env: Record<string, string>,
): Promise<ServerProcess<D>> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", resolve(import.meta.dirname, "..", "servers", script)],
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
    peakRssMb: () => {
      sample();
      return peak;
    },
    resetPeak: () => {
      peak = 0;
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
