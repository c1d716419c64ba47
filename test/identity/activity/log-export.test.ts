import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLI_ACTOR,
  createSignInRecorder,
  type ExportRequest,
  exportLog,
  listDirectoryAudits,
  listSignIns,
  recordAudit,
} from "../../../src/identity/activity/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { parseCsv, parseJsonl } from "./support.ts";

const TENANT = randomUUID();
const OTHER = randomUUID();
const EVENTS = 23;

/** Every chunk of an export, and the progress it reported. */
async function run(request: ExportRequest) {
  const chunks: string[] = [];
  const progress: number[] = [];
  for await (const chunk of exportLog({ ...request, onProgress: (n) => progress.push(n) }))
    chunks.push(chunk);
  return { chunks, text: chunks.join(""), progress };
}

/** All pages of a listing, followed to the end: the order the API shows. */
async function allIds<T extends { id: string }>(
  list: (cursor: string | undefined) => Promise<{ value: T[]; nextCursor: string | undefined }>,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    ids.push(...page.value.map((v) => v.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

/**
 * The streamed export in small batches: every matching row exactly once, newest first, the
 * same in CSV and JSON Lines as in the paged listing, across batch boundaries that fall
 * between rows of the same millisecond; one chunk per batch; another tenant's rows never.
 */
describe.each(["pglite", "postgres"] as const)("log export in batches on %s", (kind) => {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    const recorder = createSignInRecorder({
      db: t.database.db,
      logger: pino({ level: "silent" }),
    });
    const base = Date.parse("2026-10-14T09:00:00.000Z");
    for (let i = 0; i < EVENTS; i++)
      // Three events a millisecond: the keyset must order ties by id, not lose or repeat them.
      recorder.record({
        tenantId: TENANT,
        requestId: `req-${i}`,
        createdAt: new Date(base + Math.floor(i / 3)),
        eventType: "interactiveUser",
        status: i % 2 ? "failure" : "success",
        errorCode: i % 2 ? 50126 : 0,
        user: { userPrincipalName: `user${i}@contoso.example`, displayName: `=User ${i}` },
      });
    recorder.record({
      tenantId: OTHER,
      requestId: "other-tenant",
      createdAt: new Date(base),
      eventType: "interactiveUser",
      status: "success",
    });
    expect(await recorder.flush()).toBe(true);
    await recorder.close();
    for (let i = 0; i < 7; i++)
      await t.database.transaction((trx) =>
        recordAudit(trx, {
          tenantId: TENANT,
          activity: "Update user",
          category: "UserManagement",
          actor: CLI_ACTOR,
          targets: [{ type: "User", id: `user-${i}` }],
        }),
      );
  });
  afterAll(() => t?.close());

  function request(overrides: Partial<ExportRequest>): ExportRequest {
    return {
      database: t!.database,
      tenantId: TENANT,
      kind: "sign-ins",
      format: "jsonl",
      filter: {},
      ...overrides,
    };
  }

  it("streams every sign-in once, newest first, whatever the batch size", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const listed = await allIds((cursor) => listSignIns(db, TENANT, {}, { top: 4, cursor }));
    expect(listed).toHaveLength(EVENTS);
    for (const batchSize of [1, 5, EVENTS, 100]) {
      const jsonl = await run(request({ batchSize }));
      const rows = parseJsonl(jsonl.text);
      expect(rows.map((r) => r.id)).toEqual(listed);
      expect(rows.map((r) => r.requestId)).not.toContain("other-tenant");
      // One chunk per batch that had rows, progress after each.
      expect(jsonl.chunks).toHaveLength(Math.ceil(EVENTS / batchSize));
      expect(jsonl.progress.at(-1)).toBe(EVENTS);
      expect(jsonl.progress).toEqual([...jsonl.progress].sort((a, b) => a - b));

      const csv = await run(request({ batchSize, format: "csv" }));
      const records = parseCsv(csv.text);
      expect(records.map((r) => r.id)).toEqual(listed);
      expect(records.map((r) => r.requestId)).toEqual(rows.map((r) => r.requestId));
      expect(records[0]?.userDisplayName).toMatch(/^'=User \d+$/);
      expect(csv.chunks).toHaveLength(1 + Math.ceil(EVENTS / batchSize));
    }
  });

  it("applies the filters to every batch", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const filter = { status: "failure" as const, to: new Date("2026-10-14T09:00:00.005Z") };
    const listed = await allIds((cursor) => listSignIns(db, TENANT, filter, { top: 100, cursor }));
    expect(listed.length).toBeGreaterThan(4);
    const rows = parseJsonl((await run(request({ filter, batchSize: 2 }))).text);
    expect(rows.map((r) => r.id)).toEqual(listed);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["failure"]));
  });

  it("streams the audit log across batches, ties on the same millisecond ordered by seq", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const listed = await allIds((cursor) =>
      listDirectoryAudits(db, TENANT, {}, { top: 3, cursor }),
    );
    expect(listed).toHaveLength(7);
    for (const format of ["jsonl", "csv"] as const) {
      const { text, chunks } = await run(request({ kind: "audit", format, batchSize: 2 }));
      const rows = format === "csv" ? parseCsv(text) : parseJsonl(text);
      expect(rows.map((r) => r.id)).toEqual(listed);
      expect(chunks).toHaveLength(Math.ceil(7 / 2) + (format === "csv" ? 1 : 0));
    }
  });

  it("ends its transaction when the consumer stops early", async (ctx) => {
    if (!t) return ctx.skip();
    for await (const chunk of exportLog(request({ batchSize: 2 }))) {
      expect(parseJsonl(chunk)).toHaveLength(2);
      break;
    }
    if (kind === "postgres") {
      const open = await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and state like 'idle in transaction%'`.execute(
        t.database.db,
      );
      expect(open.rows[0]?.n).toBe(0);
    }
    // The database is free for the next export (PGlite has a single session).
    expect(parseJsonl((await run(request({ batchSize: 10 }))).text)).toHaveLength(EVENTS);
  });
});
