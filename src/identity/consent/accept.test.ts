import { describe, expect, it } from "vitest";
import { acceptConsent } from "./accept.ts";
import type { RequestDecision } from "./request-decision.ts";

const MAIL = "mail-app";
const API = "api-app";

function userConsent(
  mail: { granted: string[]; missing: string[] },
  api?: { granted: string[]; missing: string[] },
  canConsentForOrganization = false,
): RequestDecision {
  return {
    kind: "user_consent",
    parts: [{ resourceAppId: MAIL, ...mail }, ...(api ? [{ resourceAppId: API, ...api }] : [])],
    canConsentForOrganization,
    riskyApp: false,
  };
}

describe("judging an Accept against the decision at the POST", () => {
  it("records exactly what is missing when the page showed it", () => {
    const d = userConsent({ granted: [], missing: ["openid", "profile"] });
    expect(acceptConsent(d, [`${MAIL}/openid`, `${MAIL}/profile`], false)).toEqual({
      kind: "record",
      parts: [{ resourceAppId: MAIL, scopes: ["openid", "profile"] }],
    });
  });

  it("records nothing when a concurrent Accept granted everything the page showed", () => {
    const d: RequestDecision = {
      kind: "granted",
      parts: [{ resourceAppId: MAIL, granted: ["openid", "profile"], missing: [] }],
    };
    expect(acceptConsent(d, [`${MAIL}/openid`, `${MAIL}/profile`], false)).toEqual({
      kind: "record",
      parts: [],
    });
    // prompt=consent on a granted request: the page showed nothing missing.
    expect(acceptConsent(d, [], false)).toEqual({ kind: "record", parts: [] });
  });

  it("records only what is still missing when part of the page was granted meanwhile", () => {
    const d = userConsent(
      { granted: ["openid"], missing: ["profile"] },
      {
        granted: [],
        missing: ["Foo.Read"],
      },
    );
    expect(
      acceptConsent(d, [`${MAIL}/openid`, `${MAIL}/profile`, `${API}/Foo.Read`], false),
    ).toEqual({
      kind: "record",
      parts: [
        { resourceAppId: MAIL, scopes: ["profile"] },
        { resourceAppId: API, scopes: ["Foo.Read"] },
      ],
    });
  });

  it("refuses a page that lacks something missing now or names something unknown", () => {
    const d = userConsent({ granted: ["openid"], missing: ["profile", "email"] });
    expect(acceptConsent(d, [`${MAIL}/profile`], false)).toEqual({ kind: "refuse" });
    expect(
      acceptConsent(d, [`${MAIL}/profile`, `${MAIL}/email`, `${API}/Foo.Read`], false),
    ).toEqual({ kind: "refuse" });
    expect(acceptConsent(d, [`${API}/profile`, `${MAIL}/email`], false)).toEqual({
      kind: "refuse",
    });
  });

  it("refuses when the decision no longer lets the user consent", () => {
    for (const kind of ["approval_required", "admin_approval_needed"] as const) {
      const d: RequestDecision = {
        kind,
        parts: [{ resourceAppId: MAIL, granted: [], missing: ["openid"] }],
        canConsentForOrganization: false,
        riskyApp: false,
      };
      expect(acceptConsent(d, [`${MAIL}/openid`], false)).toEqual({ kind: "refuse" });
    }
    expect(acceptConsent({ kind: "not_assigned" }, [], false)).toEqual({ kind: "refuse" });
  });

  it("grants for the organization only where the decision offers it, granted scopes included", () => {
    const shown = [`${MAIL}/profile`];
    const plain = userConsent({ granted: ["openid"], missing: ["profile"] });
    expect(acceptConsent(plain, shown, true)).toEqual({ kind: "refuse" });
    const offered = userConsent({ granted: ["openid"], missing: ["profile"] }, undefined, true);
    expect(acceptConsent(offered, shown, true)).toEqual({
      kind: "record",
      parts: [{ resourceAppId: MAIL, scopes: ["openid", "profile"] }],
    });
    const granted: RequestDecision = {
      kind: "granted",
      parts: [{ resourceAppId: MAIL, granted: ["openid", "profile"], missing: [] }],
    };
    expect(acceptConsent(granted, [], true)).toEqual({ kind: "refuse" });
  });
});
