import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";

export const ASSENT_BIN = resolve(import.meta.dirname, "../../bin/assent.js");

/** A port free right now on loopback. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  /** Resolves when the output matches, rejects on exit or timeout. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  exited: Promise<number | null>;
}

/** Runs `assent <args>` as a real process on the pinned Node. */
export function spawnAssent(args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [ASSENT_BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return {
    child,
    output: () => out,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((done, fail) => {
        const check = () => {
          if (pattern.test(out)) {
            cleanup();
            done();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          fail(new Error(`timed out waiting for ${pattern}; output:\n${out}`));
        }, timeoutMs);
        const onExit = (code: number | null) => {
          cleanup();
          fail(new Error(`process exited (${code}) before ${pattern}; output:\n${out}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off("exit", onExit);
        };
        listeners.add(check);
        child.once("exit", onExit);
        check();
      });
    },
  };
}
