import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ConsentDecision } from "./policy.ts";
import { combineDecisions, missingPermissions } from "./request-decision.ts";

const MAIL = "mail-app";
const API = "api-app";

describe("combining per-resource decisions", () => {
  it("is granted only when every resource is granted", () => {
    expect(
      combineDecisions([
        { resourceAppId: MAIL, decision: { kind: "granted", scopes: ["openid"] } },
        { resourceAppId: API, decision: { kind: "granted", scopes: ["Foo.Read"] } },
      ]),
    ).toEqual({
      kind: "granted",
      parts: [
        { resourceAppId: MAIL, granted: ["openid"], missing: [] },
        { resourceAppId: API, granted: ["Foo.Read"], missing: [] },
      ],
    });
  });

  it("takes the most restrictive row and asks only for what is missing on each resource", () => {
    const d = combineDecisions([
      {
        resourceAppId: MAIL,
        decision: {
          kind: "user_consent",
          granted: [],
          missing: ["openid"],
          canConsentForOrganization: false,
        },
      },
      {
        resourceAppId: API,
        decision: { kind: "approval_required", granted: ["A"], missing: ["B"], riskyApp: true },
      },
    ]);
    expect(d).toMatchObject({ kind: "approval_required", riskyApp: true });
    expect(missingPermissions(d)).toEqual([
      { resourceAppId: MAIL, value: "openid" },
      { resourceAppId: API, value: "B" },
    ]);
  });

  it("lets an administrator consent for the organization on an admin_consent request", () => {
    const d = combineDecisions([
      {
        resourceAppId: MAIL,
        decision: {
          kind: "user_consent",
          granted: [],
          missing: ["openid"],
          canConsentForOrganization: true,
        },
      },
      { resourceAppId: API, decision: { kind: "admin_consent", granted: [], missing: ["B"] } },
    ]);
    expect(d).toMatchObject({ kind: "admin_consent", canConsentForOrganization: true });
  });

  it("stops at a disabled app or a missing assignment whatever the other resources say", () => {
    expect(
      combineDecisions([
        { resourceAppId: MAIL, decision: { kind: "granted", scopes: [] } },
        { resourceAppId: API, decision: { kind: "app_disabled", reason: "blocked" } },
      ]),
    ).toEqual({ kind: "app_disabled", reason: "blocked" });
    expect(
      combineDecisions([{ resourceAppId: MAIL, decision: { kind: "not_assigned" } }]).kind,
    ).toBe("not_assigned");
  });

  it("never yields a milder decision than any of its parts (property)", () => {
    const order = [
      "granted",
      "user_consent",
      "admin_consent",
      "approval_required",
      "admin_approval_needed",
      "not_assigned",
      "app_disabled",
    ];
    const rank = (k: string) =>
      k === "admin_approval_needed" ? order.indexOf("approval_required") : order.indexOf(k);
    const decision: fc.Arbitrary<ConsentDecision> = fc.oneof(
      fc.constant<ConsentDecision>({ kind: "granted", scopes: ["a"] }),
      fc.constant<ConsentDecision>({
        kind: "user_consent",
        granted: [],
        missing: ["b"],
        canConsentForOrganization: false,
      }),
      fc.constant<ConsentDecision>({ kind: "admin_consent", granted: [], missing: ["c"] }),
      fc.constant<ConsentDecision>({
        kind: "approval_required",
        granted: [],
        missing: ["d"],
        riskyApp: false,
      }),
      fc.constant<ConsentDecision>({ kind: "not_assigned" }),
      fc.constant<ConsentDecision>({ kind: "app_disabled", reason: "disabled" }),
    );
    fc.assert(
      fc.property(fc.array(decision, { minLength: 1, maxLength: 3 }), (ds) => {
        const combined = combineDecisions(
          ds.map((d, i) => ({ resourceAppId: `r${i}`, decision: d })),
        );
        for (const d of ds) expect(rank(combined.kind)).toBeGreaterThanOrEqual(rank(d.kind));
      }),
    );
  });
});
