import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/context.ts";
import { main } from "../../src/cli/index.ts";
import { CLI_ACTOR, createSignInRecorder } from "../../src/identity/activity/index.ts";
import type { IdentityDB } from "../../src/identity/db.ts";
import { createDirectory, type Tenant } from "../../src/identity/directory/index.ts";
import { type Database, openDatabase } from "../../src/platform/db/index.ts";
import { migrateAll } from "../../src/server/migrations.ts";
import { parseCsv, parseJsonl } from "../identity/activity/support.ts";
import { createScratchPostgres, postgresReachable } from "../support/databases.ts";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(env: Record<string, string>, args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    readSecret: async () => "",
    env,
  };
  const code = await main(["node", "assent", ...args], io);
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

const requirePostgres = Boolean(process.env.CI || process.env.ASSENT_REQUIRE_POSTGRES);

describe("assent logs and audit commands on postgres", () => {
  let env: Record<string, string> | undefined;
  let database: Database<IdentityDB>;
  let dataDir: string;
  let tenant: Tenant;
  let drop = async () => {};
  beforeAll(async () => {
    if (!requirePostgres && !(await postgresReachable())) return;
    const scratch = await createScratchPostgres();
    drop = scratch.drop;
    dataDir = mkdtempSync(join(tmpdir(), "assent-logs-cli-"));
    env = { DATABASE_URL: scratch.url, ASSENT_DATA_DIR: dataDir, LOG_LEVEL: "silent" };
    database = await openDatabase<IdentityDB>({ kind: "postgres", url: scratch.url });
    await migrateAll(database.db);
    const directory = createDirectory({ database });
    tenant = await directory.tenants.create({ slug: "cli-logs", displayName: "Logs" }, CLI_ACTOR);
    for (const name of ["ada", "grace", "alan"])
      await directory.users.create(
        tenant.id,
        { userPrincipalName: `${name}@cli-logs.example`, displayName: name },
        CLI_ACTOR,
      );
    const recorder = createSignInRecorder({ db: database.db, logger: pino({ level: "silent" }) });
    const base = Date.parse("2026-11-25T12:00:00.000Z");
    for (let i = 0; i < 1_500; i++)
      recorder.record({
        tenantId: tenant.id,
        requestId: `cli-${i}`,
        createdAt: new Date(base + i * 1_000),
        eventType: "interactiveUser",
        status: i % 2 ? "failure" : "success",
        errorCode: i % 2 ? 50126 : 0,
        user: { userPrincipalName: i % 3 ? "ada@cli-logs.example" : "grace@cli-logs.example" },
      });
    await recorder.close();
  });
  afterAll(async () => {
    await database?.close();
    await drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("exports a filtered range to a file and to stdout, in both formats", async (ctx) => {
    if (!env) return ctx.skip();
    const file = join(dataDir, "ada-failures.jsonl");
    const filters = ["--user", "ADA@", "--status", "failure", "--from", "2026-11-25T12:05:00Z"];
    const toFile = await run(env, [
      "logs",
      "export",
      "--tenant",
      "cli-logs",
      "--format",
      "jsonl",
      "--output",
      file,
      ...filters,
      "--json",
    ]);
    expect(toFile.stderr).toBe("");
    expect(toFile.code).toBe(0);
    const lines = parseJsonl(readFileSync(file, "utf8"));
    // i >= 300, odd, not a multiple of 3.
    const expected = Array.from({ length: 1_500 }, (_, i) => i).filter(
      (i) => i >= 300 && i % 2 === 1 && i % 3 !== 0,
    );
    expect(lines).toHaveLength(expected.length);
    expect(JSON.parse(toFile.stdout)).toEqual({ rows: expected.length, output: file });
    expect(lines[0]).toMatchObject({ requestId: `cli-${expected.at(-1)}`, errorCode: 50126 });

    const toStdout = await run(env, ["logs", "export", "--tenant", "cli-logs", ...filters]);
    expect(toStdout.code).toBe(0);
    const rows = parseCsv(`${toStdout.stdout}\n`);
    expect(rows.map((r) => r.id)).toEqual(lines.map((l) => l.id));

    // Never overwrites; a bad option is one clear line.
    const again = await run(env, ["logs", "export", "--tenant", "cli-logs", "--output", file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    expect(readFileSync(file, "utf8").split("\n").filter(Boolean)).toHaveLength(expected.length);
    const badTime = await run(env, [
      "logs",
      "export",
      "--tenant",
      "cli-logs",
      "--from",
      "yesterday",
    ]);
    expect(badTime.code).toBe(2);
    const unknown = await run(env, ["logs", "export", "--tenant", "nope"]);
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.stderr).toMatch(/No tenant "nope"/);
  });

  it("exports the audit log", async (ctx) => {
    if (!env) return ctx.skip();
    const r = await run(env, [
      "logs",
      "export",
      "--tenant",
      "cli-logs",
      "--kind",
      "audit",
      "--activity",
      "Add user",
    ]);
    expect(r.code).toBe(0);
    const rows = parseCsv(`${r.stdout}\n`);
    expect(rows.map((row) => row.activityDisplayName)).toEqual([
      "Add user",
      "Add user",
      "Add user",
    ]);
    expect(rows[0]).toMatchObject({ initiatedByType: "system", initiatedBy: "assent-cli" });
  });

  it("verifies the audit chain, and reports the altered entry with a non-zero exit", async (ctx) => {
    if (!env) return ctx.skip();
    const intact = await run(env, ["audit", "verify", "--tenant", "cli-logs"]);
    expect(intact).toMatchObject({ code: 0, stderr: "" });
    expect(intact.stdout).toBe("Audit chain of cli-logs: intact (4 events).");

    const victim = await database.db
      .selectFrom("identity.audit_events")
      .select(["seq", "id"])
      .where("tenant_id", "=", tenant.id)
      .where("activity", "=", "Add user")
      .orderBy("seq")
      .offset(1)
      .limit(1)
      .executeTakeFirstOrThrow();
    await sql`update identity.audit_events set actor = '{"type":"system","name":"someone-else"}'
      where seq = ${victim.seq}`.execute(database.db);
    const broken = await run(env, ["audit", "verify", "--tenant", "cli-logs"]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`BROKEN at seq ${victim.seq} (id ${victim.id}`);
    expect(broken.stdout).toContain("2 events before it verified");
    expect(broken.stderr).toBe(
      `assent: the audit chain of cli-logs is broken at seq ${victim.seq}.`,
    );
    const json = await run(env, ["audit", "verify", "--tenant", "cli-logs", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      intact: false,
      broken: { seq: victim.seq, id: victim.id },
    });
  });

  it("sets retention and purges", async (ctx) => {
    if (!env) return ctx.skip();
    const set = await run(env, [
      "logs",
      "retention",
      "--tenant",
      "cli-logs",
      "--days",
      "365",
      "--json",
    ]);
    expect(JSON.parse(set.stdout)).toEqual({ tenant: "cli-logs", retentionDays: 365 });
    const bad = await run(env, ["logs", "retention", "--tenant", "cli-logs", "--days", "0"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/from 1 to 3650/);
    const purge = await run(env, ["logs", "purge", "--json"]);
    expect(purge.code).toBe(0);
    expect(JSON.parse(purge.stdout)).toMatchObject({ deletedSignIns: 0, droppedPartitions: [] });
  });
});
