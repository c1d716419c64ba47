import { describe, expect, it } from "vitest";
import { normaliseRequested, parseScopeToken } from "./scope-request.ts";

describe("reading scope tokens", () => {
  it("tells OIDC scopes, bare values, qualified values and .default apart", () => {
    expect(parseScopeToken("openid")).toEqual({ kind: "oidc", value: "openid" });
    expect(parseScopeToken("Mail.Read")).toMatchObject({
      kind: "resource",
      resourceRef: undefined,
      value: "Mail.Read",
    });
    expect(parseScopeToken("api://assent-mail/Mail.Read")).toMatchObject({
      kind: "resource",
      resourceRef: "api://assent-mail",
      value: "Mail.Read",
    });
    expect(parseScopeToken("https://mail.example.com/api/Mail.Send")).toMatchObject({
      resourceRef: "https://mail.example.com/api",
      value: "Mail.Send",
    });
    expect(parseScopeToken("00000003-0000-0000-c000-00000000a55e/.default")).toMatchObject({
      resourceRef: "00000003-0000-0000-c000-00000000a55e",
      value: ".default",
    });
  });

  it("refuses a resource without a permission, an empty part and a qualified OIDC scope", () => {
    expect(parseScopeToken("api://assent-mail")).toMatchObject({ kind: "invalid" });
    expect(parseScopeToken("api://assent-mail/")).toMatchObject({ kind: "invalid" });
    expect(parseScopeToken("/Mail.Read")).toMatchObject({ kind: "invalid" });
    expect(parseScopeToken("api://assent-mail/openid")).toMatchObject({
      kind: "invalid",
      reason: expect.stringMatching(/without a resource prefix/),
    });
  });

  it("splits on spaces and drops duplicates and empties", () => {
    expect(normaliseRequested(["openid  Mail.Read", "Mail.Read", ""])).toEqual([
      "openid",
      "Mail.Read",
    ]);
    expect(normaliseRequested("openid profile")).toEqual(["openid", "profile"]);
  });
});
