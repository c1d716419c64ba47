import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  CLI_ACTOR,
  type ExportFormat,
  type ExportKind,
  exportLog,
  getActivityRetention,
  purgeActivity,
  setActivityRetention,
  verifyAuditChain,
} from "../../identity/activity/index.ts";
import { requireTenant } from "../../identity/directory/index.ts";
import { type CliContext, CliError } from "../context.ts";
import { processIo } from "../io.ts";

const TENANT_OPTION = ["--tenant <ref>", "tenant id, slug or verified domain"] as const;
// Progress at most five times a second: readable, and cheap next to the export itself.
const PROGRESS_INTERVAL_MS = 200;

function parseTime(value: string): Date {
  const at = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)
    ? new Date(value)
    : new Date(Number.NaN);
  if (Number.isNaN(at.getTime()))
    throw new InvalidArgumentError("use an ISO 8601 date or time, e.g. 2026-11-26T09:00:00Z.");
  return at;
}

function parseDays(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("use a whole number of days.");
  return Number(value);
}

/** "Exported 12,000 rows" on stderr, rewritten in place, only when a person is watching. */
function progressReporter(ctx: CliContext, noun: string) {
  const live = ctx.io === processIo && Boolean(process.stderr.isTTY);
  const started = Date.now();
  let last = 0;
  return {
    update(rows: number) {
      if (!live || Date.now() - last < PROGRESS_INTERVAL_MS) return;
      last = Date.now();
      const rate = Math.round(rows / Math.max((Date.now() - started) / 1000, 0.001));
      process.stderr.write(
        `\r${noun}: ${rows.toLocaleString("en")} rows (${rate.toLocaleString("en")}/s)`,
      );
    },
    done() {
      if (live && last > 0) process.stderr.write("\r\x1b[K");
    },
  };
}

interface ExportOptions {
  tenant: string;
  kind: ExportKind;
  format: ExportFormat;
  from?: Date;
  to?: Date;
  user?: string;
  app?: string;
  status?: string;
  activity?: string;
  output?: string;
}

async function write(out: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, "drain");
}

/**
 * The export on the real stdout, written as it comes and waiting for "drain" when a slow
 * reader (a pipe into gzip, a terminal) falls behind, so it never piles up in memory. A reader
 * that goes away (`| head`) ends the export quietly, as it does for other Unix tools.
 */
async function writeToStdout(chunks: AsyncIterable<string>): Promise<void> {
  let closed: Error | undefined;
  const onError = (error: Error) => {
    closed = error;
  };
  process.stdout.on("error", onError);
  try {
    for await (const chunk of chunks) {
      if (closed) break;
      await write(process.stdout, chunk).catch((error: Error) => onError(error));
    }
  } finally {
    process.stdout.off("error", onError);
  }
  if (closed && (closed as NodeJS.ErrnoException).code !== "EPIPE") throw closed;
}

async function runExport(ctx: CliContext, opts: ExportOptions): Promise<void> {
  const database = await ctx.database();
  const tenant = await requireTenant(database.db, opts.tenant);
  if (opts.from && opts.to && opts.from > opts.to)
    throw new CliError("--from must not be after --to.");
  const signIns = opts.kind === "sign-ins";
  if (signIns && opts.status && !["success", "failure", "interrupted"].includes(opts.status))
    throw new CliError("--status is success, failure or interrupted for sign-ins.");
  if (!signIns && opts.status && !["success", "failure"].includes(opts.status))
    throw new CliError("--status is success or failure for audit events.");
  // For audit events, --user and --app both name who initiated the action.
  const filter = signIns
    ? {
        from: opts.from,
        to: opts.to,
        user: opts.user,
        appId: opts.app,
        status: opts.status as never,
      }
    : {
        from: opts.from,
        to: opts.to,
        actor: opts.user ?? opts.app,
        result: opts.status,
        activity: opts.activity,
      };
  const progress = progressReporter(ctx, `Exporting ${opts.kind}`);
  let rows = 0;
  const chunks = exportLog({
    database,
    tenantId: tenant.id,
    kind: opts.kind,
    format: opts.format,
    filter,
    onProgress: (n) => {
      rows = n;
      progress.update(n);
    },
  });
  if (!opts.output) {
    if (ctx.io === processIo) {
      await writeToStdout(chunks);
    } else {
      // A captured io (tests) adds the line end: hand it each chunk without its last one.
      for await (const chunk of chunks) ctx.io.stdout(chunk.replace(/\n$/, ""));
    }
    progress.done();
    return;
  }
  const out = createWriteStream(opts.output, { flags: "wx" });
  let opened = false;
  let complete = false;
  try {
    await once(out, "open");
    opened = true;
    for await (const chunk of chunks) await write(out, chunk);
    complete = true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST")
      throw new CliError(`${opts.output} already exists; choose another --output or remove it.`);
    if (typeof code === "string" && !opened)
      throw new CliError(`cannot write ${opts.output}: ${(error as Error).message}`);
    throw error;
  } finally {
    progress.done();
    if (!out.closed) {
      out.end();
      await once(out, "close").catch(() => undefined);
    }
    // A failed export leaves no partial file that could pass for a complete one.
    if (opened && !complete) await rm(opts.output, { force: true });
  }
  ctx.print(
    { rows, output: opts.output },
    () => `Exported ${rows} ${opts.kind} events to ${opts.output}.`,
  );
}

/**
 * `assent logs export|purge|retention` and `assent audit verify`: the sign-in and audit logs
 * from the command line.
 */
export function registerLogsCommands(program: Command, ctx: CliContext): void {
  const logs = program
    .command("logs")
    .description("export, retain and purge sign-in and audit logs");

  logs
    .command("export")
    .description("stream a tenant's sign-in or audit log as CSV or JSON Lines, newest first")
    .requiredOption(...TENANT_OPTION)
    .addOption(
      new Option("--kind <kind>", "which log").choices(["sign-ins", "audit"]).default("sign-ins"),
    )
    .addOption(
      new Option("--format <format>", "output format").choices(["csv", "jsonl"]).default("csv"),
    )
    .option("--from <time>", "events at or after this time (ISO 8601)", parseTime)
    .option("--to <time>", "events at or before this time (ISO 8601)", parseTime)
    .option("--user <user>", "user id or the start of a user principal name (audit: initiated by)")
    .option("--app <appId>", "client application id (audit: initiated by)")
    .option("--status <status>", "success, failure or interrupted (audit: success or failure)")
    .option("--activity <name>", 'audit activity, e.g. "Add user"')
    .option("--output <file>", "write to this file (created; never overwritten) instead of stdout")
    .action((opts: ExportOptions) => runExport(ctx, opts));

  logs
    .command("purge")
    .description(
      "apply every tenant's retention now: drop old monthly partitions, delete expired events (the scheduler runs this daily)",
    )
    .action(async () => {
      const { db } = await ctx.database();
      const report = await purgeActivity(db, new Date());
      ctx.print(report, () =>
        [
          `Deleted ${report.deletedSignIns} sign-in events and ${report.deletedAuditEvents} audit events.`,
          `Dropped partitions: ${report.droppedPartitions.join(", ") || "(none)"}`,
          `Created partitions: ${report.createdPartitions.join(", ") || "(none)"}`,
        ].join("\n"),
      );
    });

  logs
    .command("retention")
    .description("show or set how many days a tenant keeps its sign-in and audit logs")
    .requiredOption(...TENANT_OPTION)
    .option("--days <days>", "keep this many days (1 to 3650)", parseDays)
    .action(async (opts: { tenant: string; days?: number }) => {
      const { db } = await ctx.database();
      const tenant = await requireTenant(db, opts.tenant);
      if (opts.days !== undefined) await setActivityRetention(db, tenant.id, opts.days, CLI_ACTOR);
      const days = await getActivityRetention(db, tenant.id);
      ctx.print(
        { tenant: tenant.slug, retentionDays: days },
        () => `Tenant ${tenant.slug} keeps its sign-in and audit logs for ${days} days.`,
      );
    });

  const audit = program.command("audit").description("check the audit log");
  audit
    .command("verify")
    .description("recompute a tenant's audit hash chain and report the first broken link")
    .requiredOption(...TENANT_OPTION)
    .action(async (opts: { tenant: string }) => {
      const { db } = await ctx.database();
      const tenant = await requireTenant(db, opts.tenant);
      const progress = progressReporter(ctx, "Verifying");
      const report = await verifyAuditChain(db, tenant.id, { onProgress: progress.update });
      progress.done();
      if (report.intact) {
        ctx.print(
          { tenant: tenant.slug, ...report },
          () => `Audit chain of ${tenant.slug}: intact (${report.events} events).`,
        );
        return;
      }
      const { seq, id, createdAt, reason } = report.broken;
      ctx.print({ tenant: tenant.slug, ...report }, () =>
        [
          `Audit chain of ${tenant.slug}: BROKEN at seq ${seq} (id ${id}, ${createdAt.toISOString()}):`,
          `  ${reason}.`,
          `  ${report.events} events before it verified.`,
        ].join("\n"),
      );
      throw new CliError(`the audit chain of ${tenant.slug} is broken at seq ${seq}.`);
    });
}
