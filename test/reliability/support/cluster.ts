import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../support/processes.ts";

const run = promisify(execFile);

/**
 * A PRIVATE PostgreSQL cluster for fault tests: initdb into a temporary directory, started on a
 * free loopback port, restarted and stopped at will. The machine's shared PostgreSQL is never
 * touched. PostgreSQL refuses to run as root, so under root the cluster belongs to the
 * `postgres` system user (commands run through `runuser`).
 */
export interface PrivatePostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** The server's log, for failure messages. */
  log(): string;
  destroy(): Promise<void>;
}

function binDir(): string {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) throw new Error(`PostgreSQL binaries not found under ${root}`);
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error(`no initdb under ${root}/*/bin`);
  return join(root, versions[0], "bin");
}

const isRoot = () => process.getuid?.() === 0;

async function systemUser(name: string): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run("id", ["-u", name])).stdout.trim());
  const gid = Number((await run("id", ["-g", name])).stdout.trim());
  return { uid, gid };
}

/** Runs a PostgreSQL binary, as `postgres` when we are root. */
async function pgExec(bin: string, args: string[]): Promise<void> {
  const [file, argv] = isRoot() ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  await run(file, argv, { timeout: 120_000 });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "assent-pg-"));
  if (isRoot()) {
    const owner = await systemUser("postgres");
    chownSync(dir, owner.uid, owner.gid);
  }
  const data = join(dir, "data");
  const logFile = join(dir, "server.log");
  await pgExec(join(bin, "initdb"), [
    "-D",
    data,
    "-A",
    "trust",
    "-U",
    "postgres",
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=60`;
  const pgCtl = (...args: string[]) => pgExec(join(bin, "pg_ctl"), ["-D", data, ...args]);
  const cluster: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => pgCtl("-l", logFile, "-o", options, "-w", "-t", "60", "start"),
    // Fast: the way an operator restarts for maintenance; open sessions are terminated.
    stop: () => pgCtl("-m", "fast", "-w", "-t", "60", "stop"),
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    async destroy() {
      await pgCtl("-m", "immediate", "-w", "stop").catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
