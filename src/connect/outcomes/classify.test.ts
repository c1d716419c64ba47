import { describe, expect, it } from "vitest";
import {
  classify,
  codeFromDescription,
  codeFromErrorCodes,
  needsAdministrator,
} from "./classify.ts";

describe("classify", () => {
  // The spec table: what the provider sent, and the outcome Connect must see in it.
  const table: Array<[string, Parameters<typeof classify>[0], string, number | undefined]> = [
    [
      "Entra 65001 in error_codes",
      { error: "invalid_grant", error_codes: [65001], suberror: "consent_required" },
      "consent_required",
      65001,
    ],
    [
      "consent_required word (prompt=none)",
      { error: "consent_required" },
      "consent_required",
      undefined,
    ],
    [
      "suberror consent_required",
      { error: "invalid_grant", suberror: "consent_required" },
      "consent_required",
      undefined,
    ],
    [
      "need admin approval, front channel",
      { error: "access_denied", error_codes: "[90094]" },
      "admin_approval_required",
      90094,
    ],
    [
      "90093 not authorised to grant",
      { error: "access_denied", error_description: "AADSTS90093: nope" },
      "admin_approval_required",
      90093,
    ],
    [
      "approval requested, Assent description only",
      { error: "access_denied", error_description: "AST90095: Approval required.\r\nTrace ID: x" },
      "approval_requested",
      90095,
    ],
    [
      "approval requested, Entra description",
      { error: "access_denied", error_description: "AADSTS90095: Admin consent is required" },
      "approval_requested",
      90095,
    ],
    ["not assigned", { error: "access_denied", error_codes: "[50105]" }, "not_assigned", 50105],
    [
      "app disabled",
      { error: "unauthorized_client", error_description: "AST7000112: disabled" },
      "app_disabled",
      7000112,
    ],
    [
      "app not in tenant",
      { error: "unauthorized_client", error_codes: [700016] },
      "app_not_found_in_tenant",
      700016,
    ],
    [
      "user declined consent (65004)",
      { error: "access_denied", error_codes: "[65004]" },
      "user_declined",
      65004,
    ],
    [
      "Google admin_policy_enforced",
      { error: "admin_policy_enforced" },
      "admin_policy_enforced",
      undefined,
    ],
    ["Google org_internal", { error: "org_internal" }, "org_internal", undefined],
    [
      "Google access_denied (user pressed Cancel)",
      { error: "access_denied" },
      "user_declined",
      undefined,
    ],
    [
      "Entra cancel subcode",
      { error: "access_denied", error_subcode: "cancel" },
      "user_declined",
      undefined,
    ],
    ["unknown code", { error: "invalid_request", error_codes: [50011] }, "provider_error", 50011],
    [
      "access_denied with an unknown code",
      { error: "access_denied", error_codes: [12345] },
      "provider_error",
      12345,
    ],
    ["nothing at all", {}, "provider_error", undefined],
  ];

  it.each(table)("%s", (_name, input, kind, code) => {
    expect(classify(input)).toEqual({ kind, providerCode: code });
  });

  it("prefers error_codes over the description", () => {
    expect(classify({ error_codes: [90094], error_description: "AST90095: x" }).kind).toBe(
      "admin_approval_required",
    );
  });

  it("reads codes in every shape Entra and Assent send them", () => {
    expect(codeFromErrorCodes("[90095]")).toBe(90095);
    expect(codeFromErrorCodes([90095, 1])).toBe(90095);
    expect(codeFromErrorCodes("90095,50011")).toBe(90095);
    expect(codeFromErrorCodes(undefined)).toBeUndefined();
    expect(codeFromErrorCodes("[]")).toBeUndefined();
    expect(codeFromDescription("AST50105: not assigned")).toBe(50105);
    expect(codeFromDescription("AADSTS700016: app")).toBe(700016);
    expect(codeFromDescription("ASTX: nope")).toBeUndefined();
  });

  it("marks exactly the outcomes an administrator must clear", () => {
    expect(needsAdministrator("approval_requested")).toBe(true);
    expect(needsAdministrator("admin_approval_required")).toBe(true);
    expect(needsAdministrator("admin_policy_enforced")).toBe(true);
    expect(needsAdministrator("user_declined")).toBe(false);
    expect(needsAdministrator("not_assigned")).toBe(false);
  });
});
