import { describe, expect, it } from "vitest";
import { deepFreeze, frozenDate } from "./freeze.ts";

describe("deepFreeze", () => {
  it("freezes nested objects, arrays and dates", () => {
    const value = deepFreeze({
      name: "a",
      at: new Date(0),
      list: [{ at: new Date(1) }],
      nested: { tags: ["x"] },
    });
    expect(() => {
      (value as { name: string }).name = "b";
    }).toThrow(TypeError);
    expect(() => value.list.push({ at: new Date(2) })).toThrow(TypeError);
    expect(() => value.nested.tags.push("y")).toThrow(TypeError);
    expect(() => value.at.setTime(5)).toThrow(TypeError);
    expect(() => value.list[0]!.at.setUTCHours(3)).toThrow(TypeError);
    expect(value.at.getTime()).toBe(0);
    expect(value.list[0]!.at).toBeInstanceOf(Date);
  });

  it("keeps a date's value and its readers", () => {
    const date = frozenDate(new Date("2026-01-02T03:04:05Z"));
    expect(date.toISOString()).toBe("2026-01-02T03:04:05.000Z");
    expect(JSON.stringify({ date })).toBe('{"date":"2026-01-02T03:04:05.000Z"}');
    expect(frozenDate(date)).toBe(date);
  });
});
