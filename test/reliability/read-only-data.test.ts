import { execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ASSENT_BIN, freePort } from "../support/processes.ts";
import { report, SHORT } from "./support/world.ts";

/**
 * The embedded database (PGlite's files under ASSENT_DATA_DIR) made read-only: starting or
 * writing fails with a clear message naming the directory and what to do, exit code non-zero,
 * no stack trace; with the permissions restored, every row is still there. Root ignores file
 * permissions, so under root Assent runs as the `postgres` system user here.
 */

const root = process.getuid?.() === 0;
const owner = root
  ? {
      uid: Number(execFileSync("id", ["-u", "postgres"]).toString().trim()),
      gid: Number(execFileSync("id", ["-g", "postgres"]).toString().trim()),
    }
  : undefined;

interface Run {
  code: number | null;
  output: string;
}

/** `assent <args>` as the data directory's owner; resolves when it exits (or on `until`). */
function assent(
  home: string,
  args: string[],
  env: Record<string, string>,
  until?: { pattern: RegExp; act: (url: string) => Promise<void> },
): Promise<Run> {
  const child = spawn(process.execPath, [ASSENT_BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: home, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(owner ?? {}),
  });
  let output = "";
  let triggered = false;
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    if (until && !triggered && until.pattern.test(output)) {
      triggered = true;
      until
        .act(env.ASSENT_IDENTITY_URL ?? "")
        .finally(() => child.kill("SIGTERM"))
        .catch(() => {});
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

function setWritable(dir: string, writable: boolean): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) setWritable(path, writable);
    else chmodSync(path, writable ? statSync(path).mode | 0o200 : statSync(path).mode & ~0o222);
  }
  chmodSync(dir, writable ? statSync(dir).mode | 0o200 : statSync(dir).mode & ~0o222);
}

const NO_STACK = /\n\s+at .+:\d+:\d+/;

describe("a read-only embedded database", () => {
  const base = mkdtempSync(join(tmpdir(), "assent-rel-ro-"));
  if (owner) chownSync(base, owner.uid, owner.gid);
  const dataDir = join(base, "data");
  const pglite = join(dataDir, "pglite");
  afterAll(() => {
    setWritable(base, true);
    rmSync(base, { recursive: true, force: true });
  });

  it("refuses to start or write, clearly, and keeps every row", async () => {
    const env = { ASSENT_DATA_DIR: dataDir };
    const created = await assent(base, ["tenant", "create", "kept", "--name", "Kept Ltd"], env);
    expect(created.code, created.output).toBe(0);

    // The whole data directory read-only: start and a write both refuse, naming the path.
    setWritable(dataDir, false);
    const port = await freePort();
    const serveEnv = {
      ...env,
      ASSENT_IDENTITY_PORT: String(port),
      ASSENT_IDENTITY_URL: `http://127.0.0.1:${port}`,
    };
    const start = await assent(base, ["serve", "identity"], serveEnv);
    expect(start.code).not.toBe(0);
    expect(start.output).toContain(`the embedded database at ${pglite} cannot be written`);
    expect(start.output).toMatch(/write access .*chown\/chmod/);
    expect(start.output).not.toMatch(NO_STACK);
    // A CLI write takes the same path as start; the short form lets `start` speak for both.
    const write = SHORT
      ? start
      : await assent(base, ["tenant", "create", "lost", "--name", "Lost"], env);
    expect(write.code).not.toBe(0);
    expect(write.output).toContain(pglite);
    expect(write.output).not.toMatch(NO_STACK);

    // Only the tables' files read-only (the lock can be taken): the engine cannot say why, so
    // Assent finds the path that cannot be written.
    setWritable(dataDir, true);
    setWritable(join(pglite, "base"), false);
    const partial = await assent(base, ["tenant", "create", "lost", "--name", "Lost"], env);
    expect(partial.code).not.toBe(0);
    expect(partial.output).toContain(`${join(pglite, "base")} is not writable`);
    expect(partial.output).not.toMatch(NO_STACK);

    // Permissions restored: the data is all there, and the service starts and answers.
    setWritable(dataDir, true);
    const listed = await assent(base, ["tenant", "list", "--json"], env);
    expect(listed.code, listed.output).toBe(0);
    const slugs = (JSON.parse(listed.output) as Array<{ slug: string }>).map((t) => t.slug);
    expect(slugs).toContain("kept");
    expect(slugs).not.toContain("lost");
    let ready = 0;
    const served = await assent(base, ["serve", "identity"], serveEnv, {
      pattern: /Assent is running/,
      act: async (url) => {
        ready = (await fetch(`${url}/readyz`)).status;
      },
    });
    expect(served.code, served.output).toBe(0);
    expect(ready).toBe(200);
    report(
      "read-only-data",
      `read-only data dir: start and write refused (exit ${start.code}, ${write.code}) naming ${pglite}; read-only table files: refused naming base/; restored: ${slugs.length} tenants intact, /readyz ${ready}`,
    );
  });
});
