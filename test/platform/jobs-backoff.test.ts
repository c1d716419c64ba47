import { describe, expect, it } from "vitest";
import { backoffDelay, slotKey, slotStart } from "../../src/platform/jobs/index.ts";
import { outboxTableSql } from "../../src/platform/jobs/outbox-table.ts";

describe("backoff", () => {
  const policy = { baseMs: 1000, capMs: 60_000 };

  it("doubles per attempt between half and all of the schedule, capped", () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 0)).toBe(2000);
    expect(backoffDelay(3, policy, () => 1)).toBe(4000);
    expect(backoffDelay(30, policy, () => 1)).toBe(60_000);
    expect(backoffDelay(30, policy, () => 0)).toBe(30_000);
    expect(backoffDelay(5000, policy, () => 1)).toBe(60_000);
  });

  it("defaults to 10 s doubling up to one hour", () => {
    expect(backoffDelay(1, undefined, () => 1)).toBe(10_000);
    expect(backoffDelay(20, undefined, () => 1)).toBe(3_600_000);
  });
});

describe("recurring slots", () => {
  it("aligns slots to the epoch so every node computes the same one", () => {
    const t = Date.UTC(2030, 0, 1, 10, 7, 59, 999);
    expect(new Date(slotStart(t, 300_000)).toISOString()).toBe("2030-01-01T10:05:00.000Z");
    expect(slotKey("retention.purge", 300_000, slotStart(t, 300_000))).toBe(
      "every:retention.purge:300000:2030-01-01T10:05:00.000Z",
    );
  });
});

describe("outbox DDL", () => {
  it("refuses a schema name that is not a plain identifier", () => {
    expect(() => outboxTableSql('identity"; drop table x; --')).toThrow(/not a valid schema name/);
    expect(outboxTableSql("connect")).toContain("create table connect.outbox");
  });
});
