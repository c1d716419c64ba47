import { describe, expect, it } from "vitest";
import { ADMIN_RESOURCE } from "../apps/admin-resource.ts";
import { MAIL_RESOURCE, SYSTEM_TENANT_ID } from "../apps/mail-resource.ts";
import { PORTAL_APP } from "../portal/portal-app.ts";
import { type ConsentInput, decideConsent } from "./policy.ts";

/** A plain user of a tenant where users may not consent, asking `scopes` of `resourceAppId`. */
function input(
  client: Partial<ConsentInput["client"]>,
  resourceAppId: string,
  scopes: string[],
  servicePrincipal: Partial<ConsentInput["servicePrincipal"]> = {},
): ConsentInput {
  return {
    now: new Date(),
    tenant: {
      id: "11111111-1111-4111-8111-111111111111",
      userConsentPolicies: [],
      adminConsentWorkflowEnabled: true,
      classifications: {},
    },
    client: {
      appId: PORTAL_APP.appId,
      publisherTenantId: SYSTEM_TENANT_ID,
      publisherVerified: true,
      multiTenant: true,
      ...client,
    },
    servicePrincipal: {
      accountEnabled: true,
      blocked: false,
      appRoleAssignmentRequired: false,
      ...servicePrincipal,
    },
    user: { id: "u", roles: [], groupIds: [], assigned: false },
    resource: { appId: resourceAppId, scopes: [] },
    requestedScopes: scopes,
    grants: [],
  };
}

describe("the first-party portal's pre-authorized permissions", () => {
  it("needs no consent for sign-in and the Admin API's delegated permissions", () => {
    expect(decideConsent(input({}, MAIL_RESOURCE.appId, ["openid", "profile"])).kind).toBe(
      "granted",
    );
    const admin = ["ConsentRequest.ReadWrite.All", "Directory.ReadWrite.All"];
    expect(decideConsent(input({}, ADMIN_RESOURCE.appId, admin))).toEqual({
      kind: "granted",
      scopes: admin,
    });
  });

  it("covers nothing else: mail permissions, other resources", () => {
    expect(decideConsent(input({}, MAIL_RESOURCE.appId, ["openid", "Mail.Read"])).kind).toBe(
      "approval_required",
    );
    expect(decideConsent(input({}, "00000000-0000-4000-8000-000000000001", ["x"])).kind).toBe(
      "approval_required",
    );
  });

  it("is not for an app with the portal's id published by another tenant", () => {
    const copy = { publisherTenantId: "22222222-2222-4222-8222-222222222222" };
    expect(decideConsent(input(copy, ADMIN_RESOURCE.appId, ["Directory.Read.All"])).kind).toBe(
      "approval_required",
    );
  });

  it("does not override the enterprise app's switches", () => {
    const blocked = input({}, ADMIN_RESOURCE.appId, ["Directory.Read.All"], { blocked: true });
    expect(decideConsent(blocked)).toEqual({ kind: "app_disabled", reason: "blocked" });
    const assigned = input({}, MAIL_RESOURCE.appId, ["openid"], {
      appRoleAssignmentRequired: true,
    });
    expect(decideConsent(assigned)).toEqual({ kind: "not_assigned" });
  });
});
