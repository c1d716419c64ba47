import { describe, expect, it } from "vitest";
import { toApiError } from "../http/errors.ts";
import { notWritableError, unusableDataDirError } from "./data-dir-lock.ts";
import { isDatabaseUnavailable } from "./errors.ts";

/** Regression tests for the faults found by `npm run test:reliability` (docs/security.md). */
describe("isDatabaseUnavailable", () => {
  it("knows a database that is down, restarting or out of connections", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
      code: "ECONNREFUSED",
    });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([refused], ""))).toBe(true);
    expect(isDatabaseUnavailable({ code: "57P01", message: "terminating connection" })).toBe(true);
    expect(
      isDatabaseUnavailable({ code: "57P03", message: "the database system is starting up" }),
    ).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("outer", { cause: refused }))).toBe(true);
  });

  it("does not mistake a bad query or a constraint for an outage", () => {
    expect(isDatabaseUnavailable({ code: "23505", message: "duplicate key" })).toBe(false);
    expect(isDatabaseUnavailable({ code: "42P01", message: 'relation "x" does not exist' })).toBe(
      false,
    );
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  it("makes the admin API answer 503 in words instead of 500", () => {
    const answer = toApiError(
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    );
    expect(answer.status).toBe(503);
    expect(answer.code).toBe("service.unavailable");
    expect(answer.message).toMatch(/database cannot be reached\. Try again/);
    expect(toApiError(new Error("boom")).status).toBe(500);
  });
});

describe("an embedded database that cannot be written", () => {
  it("names the directory and what to do for each cause", () => {
    const denied = Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    expect(notWritableError("/data/pglite", denied)?.message).toMatch(
      /^the embedded database at \/data\/pglite cannot be written \(EACCES\): give the user running Assent .* write access/,
    );
    expect(notWritableError("/d", new Error("ENOSPC: no space left on device"))?.message).toMatch(
      /free disk space/,
    );
    expect(notWritableError("/d", new Error("EROFS: read-only file system"))?.message).toMatch(
      /mount its file system read-write/,
    );
    expect(notWritableError("/d", new Error("boom"))).toBeUndefined();
  });

  it("explains PGlite's bare abort instead of passing it on", () => {
    const aborted = new Error("Aborted(). Build with -sASSERTIONS for more info.");
    expect(unusableDataDirError("/nonexistent/assent-data", aborted)?.message).toMatch(
      /could not be opened .* free space .* writable/,
    );
    expect(unusableDataDirError("/nonexistent/assent-data", new Error("boom"))).toBeUndefined();
  });
});
