import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { exportLog } from "../../src/identity/activity/index.ts";
import type { IdentityDB } from "../../src/identity/db.ts";
import { type Database, openDatabase } from "../../src/platform/db/index.ts";
import { TENANT } from "./seed.ts";

/**
 * The export's memory, measured the way the admin API streams it: `exportLog` through
 * `Readable.from` into a writable that takes one chunk per event-loop turn with a 64 KiB
 * buffer (as a socket does), so backpressure decides when the next batch is read.
 */
export interface ExportMemory {
  rows: number;
  mebibytes: number;
  seconds: number;
  /** RSS just before the export (after a warm-up export and a GC). */
  baseRssMb: number;
  /** RSS minus the base once a tenth, and half, of the rows are written; the highest of all. */
  growthAtTenthMb: number;
  growthAtHalfMb: number;
  peakGrowthMb: number;
  /** Heap in use after the export and a GC, and before it: equal when nothing is kept. */
  heapBeforeMb: number;
  heapAfterMb: number;
}

const mb = (bytes: number) => bytes / 2 ** 20;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

/**
 * Exports the tenant's sign-ins from `from` on (all when undefined) in this process, noting
 * the RSS as it goes: memory is flat when it stops growing once the export is under way
 * (V8 grows its young generation to its limit early under any high allocation rate).
 */
export async function measureExport(
  database: Database<IdentityDB>,
  from: Date | undefined,
): Promise<ExportMemory> {
  const request = {
    database,
    tenantId: TENANT,
    kind: "sign-ins",
    format: "csv",
    filter: { from },
  } as const;
  // Warm-up: load and compile the code path, so the base includes it.
  for await (const _ of exportLog({ ...request, batchSize: 100 })) break;
  const total = Number(
    (
      await sql<{ n: number }>`
        select count(*)::int as n from identity.sign_in_events
        where tenant_id = ${TENANT} and created_at >= ${from ?? new Date(0)}`.execute(database.db)
    ).rows[0]?.n ?? 0,
  );
  gc();
  const base = process.memoryUsage();
  let peak = base.rss;
  let atTenth: number | undefined;
  let atHalf: number | undefined;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, 10);
  let rows = 0;
  let bytes = 0;
  const started = performance.now();
  await pipeline(
    Readable.from(
      exportLog({
        ...request,
        onProgress: (n) => {
          rows = n;
          sample();
          if (atTenth === undefined && n >= total / 10) atTenth = process.memoryUsage.rss();
          if (atHalf === undefined && n >= total / 2) atHalf = process.memoryUsage.rss();
        },
      }),
      { objectMode: false },
    ),
    new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        setImmediate(done);
      },
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  gc();
  return {
    rows,
    mebibytes: mb(bytes),
    seconds,
    baseRssMb: mb(base.rss),
    growthAtTenthMb: mb((atTenth ?? peak) - base.rss),
    growthAtHalfMb: mb((atHalf ?? peak) - base.rss),
    peakGrowthMb: mb(peak - base.rss),
    heapBeforeMb: mb(base.heapUsed),
    heapAfterMb: mb(process.memoryUsage().heapUsed),
  };
}

const THIS_FILE = fileURLToPath(import.meta.url);

/**
 * The same in a fresh Node process (`--expose-gc`, plus `v8Flags`), so that the base is not
 * what the benchmark did before: a clean process that only opens the database and exports.
 */
export function measureExportInChild(
  url: string,
  from: Date | undefined,
  v8Flags: string[] = [],
): Promise<ExportMemory> {
  const args = [...v8Flags, "--expose-gc", "--import", "tsx", THIS_FILE, "--export-probe", url];
  if (from) args.push(from.toISOString());
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`export probe exited with ${code}`));
      resolvePromise(JSON.parse(out.trim().split("\n").pop() ?? "{}") as ExportMemory);
    });
  });
}

// The child: `node --expose-gc --import tsx bench/activity/export-memory.ts --export-probe <url> [from]`.
if (resolve(process.argv[1] ?? "") === THIS_FILE && process.argv[2] === "--export-probe") {
  const database = await openDatabase<IdentityDB>({ kind: "postgres", url: process.argv[3]! });
  try {
    const from = process.argv[4] ? new Date(process.argv[4]) : undefined;
    console.log(JSON.stringify(await measureExport(database, from)));
  } finally {
    await database.close();
  }
}
