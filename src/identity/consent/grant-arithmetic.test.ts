import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isExpired, mergeGrant, normaliseGroupIds, withoutScopes } from "./grant-arithmetic.ts";

const NOW = new Date("2026-11-26T12:00:00Z");
const later = (ms: number) => new Date(NOW.getTime() + ms);

describe("grant arithmetic", () => {
  it("adds scopes to an existing grant and keeps what it had (Entra's known trap avoided)", () => {
    expect(
      mergeGrant(
        { scopes: ["openid", "Mail.Read"], expiresAt: null },
        { scopes: ["User.Read"], expiresAt: null },
        NOW,
      ),
    ).toEqual({ scopes: ["openid", "Mail.Read", "User.Read"], expiresAt: null });
  });

  it("only moves expiry later; null (never) wins", () => {
    expect(
      mergeGrant(
        { scopes: ["a"], expiresAt: later(1000) },
        { scopes: ["b"], expiresAt: later(5000) },
        NOW,
      ).expiresAt,
    ).toEqual(later(5000));
    expect(
      mergeGrant(
        { scopes: ["a"], expiresAt: later(5000) },
        { scopes: ["b"], expiresAt: later(1000) },
        NOW,
      ).expiresAt,
    ).toEqual(later(5000));
    expect(
      mergeGrant({ scopes: ["a"], expiresAt: null }, { scopes: ["b"], expiresAt: later(1000) }, NOW)
        .expiresAt,
    ).toBeNull();
  });

  it("starts an expired grant afresh", () => {
    expect(
      mergeGrant(
        { scopes: ["old"], expiresAt: later(-1) },
        { scopes: ["new"], expiresAt: later(1000) },
        NOW,
      ),
    ).toEqual({ scopes: ["new"], expiresAt: later(1000) });
    expect(isExpired({ expiresAt: NOW }, NOW)).toBe(true);
  });

  it("never drops a scope in force (property)", () => {
    const scopes = fc.uniqueArray(fc.constantFrom("openid", "profile", "Mail.Read", "User.Read"));
    const expiry = fc.option(fc.integer({ min: 1, max: 10_000 }).map(later), { nil: null });
    fc.assert(
      fc.property(scopes, expiry, scopes, expiry, (s1, e1, s2, e2) => {
        const merged = mergeGrant(
          { scopes: s1, expiresAt: e1 },
          { scopes: s2, expiresAt: e2 },
          NOW,
        );
        for (const s of [...s1, ...s2]) expect(merged.scopes).toContain(s);
        if (e1 === null || e2 === null) expect(merged.expiresAt).toBeNull();
        else expect(merged.expiresAt?.getTime()).toBe(Math.max(e1.getTime(), e2.getTime()));
      }),
    );
  });

  it("removes scopes and normalises group sets", () => {
    expect(withoutScopes(["a", "b", "c"], ["b"])).toEqual(["a", "c"]);
    expect(normaliseGroupIds(["B", "a", "b"])).toEqual(["a", "b"]);
  });
});
