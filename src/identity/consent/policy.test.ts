import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  builtInPolicies,
  DEFAULT_LOW_IMPACT_SCOPES,
  policiesForSetting,
} from "./permission-grant-policy.ts";
import {
  type ConsentInput,
  coverage,
  type DelegatedGrant,
  type DirectoryRoleKey,
  decideConsent,
  grantApplies,
} from "./policy.ts";

const TENANT = "t-contoso";
const PUBLISHER = "t-publisher";
const MAIL = "00000003-0000-0000-c000-00000000a55e";
const SCOPES = [
  { id: "s-openid", value: "openid", adminConsentRequired: false },
  { id: "s-profile", value: "profile", adminConsentRequired: false },
  { id: "s-offline", value: "offline_access", adminConsentRequired: false },
  { id: "s-user", value: "User.Read", adminConsentRequired: false },
  { id: "s-mailbasic", value: "Mail.ReadBasic", adminConsentRequired: false },
  { id: "s-mail", value: "Mail.Read", adminConsentRequired: false },
  { id: "s-send", value: "Mail.Send", adminConsentRequired: false },
  { id: "s-all", value: "Mail.ReadWrite.All", adminConsentRequired: true },
];
const LOW = Object.fromEntries(DEFAULT_LOW_IMPACT_SCOPES.map((s) => [s, "low" as const]));
const NOW = new Date("2026-11-26T12:00:00Z");

function input(overrides: Partial<ConsentInput> = {}): ConsentInput {
  return {
    now: NOW,
    tenant: {
      id: TENANT,
      userConsentPolicies: policiesForSetting("verified_publishers_low_impact", TENANT),
      adminConsentWorkflowEnabled: true,
      classifications: LOW,
    },
    client: {
      appId: "app-crm",
      publisherTenantId: PUBLISHER,
      publisherVerified: false,
      multiTenant: true,
    },
    servicePrincipal: { accountEnabled: true, blocked: false, appRoleAssignmentRequired: false },
    user: { id: "u-megan", roles: [], groupIds: ["g-sales"], assigned: false },
    resource: { appId: MAIL, scopes: SCOPES },
    requestedScopes: ["openid", "offline_access", "Mail.Read"],
    grants: [],
    ...overrides,
  };
}

function grant(overrides: Partial<DelegatedGrant>): DelegatedGrant {
  return {
    consentType: "AllPrincipals",
    principalId: null,
    groupIds: [],
    resourceAppId: MAIL,
    scopes: [],
    expiresAt: null,
    ...overrides,
  };
}

describe("the consent decision table, row by row (first match wins)", () => {
  it("app_disabled: a disabled or blocked service principal", () => {
    const disabled = input({
      servicePrincipal: { accountEnabled: false, blocked: false, appRoleAssignmentRequired: false },
    });
    expect(decideConsent(disabled)).toEqual({ kind: "app_disabled", reason: "disabled" });
    const blocked = input({
      servicePrincipal: { accountEnabled: true, blocked: true, appRoleAssignmentRequired: false },
    });
    expect(decideConsent(blocked)).toEqual({ kind: "app_disabled", reason: "blocked" });
    // Even a tenant-wide grant does not open a disabled app.
    expect(
      decideConsent({
        ...disabled,
        grants: [grant({ scopes: ["openid", "offline_access", "Mail.Read"] })],
      }).kind,
    ).toBe("app_disabled");
  });

  it("not_assigned: assignment required and the user is not assigned; Global Administrators are exempt", () => {
    const sp = { accountEnabled: true, blocked: false, appRoleAssignmentRequired: true };
    expect(decideConsent(input({ servicePrincipal: sp })).kind).toBe("not_assigned");
    const assigned = input({ servicePrincipal: sp, user: { ...input().user, assigned: true } });
    expect(decideConsent(assigned).kind).not.toBe("not_assigned");
    const globalAdmin = input({
      servicePrincipal: sp,
      user: { ...input().user, roles: ["global_administrator"] },
    });
    expect(decideConsent(globalAdmin).kind).toBe("admin_consent");
  });

  it("granted: every scope covered by a tenant-wide, a personal or a group grant in force", () => {
    const scopes = ["openid", "offline_access", "Mail.Read"];
    expect(decideConsent(input({ grants: [grant({ scopes })] }))).toEqual({
      kind: "granted",
      scopes,
    });
    const mine = grant({ consentType: "Principal", principalId: "u-megan", scopes });
    expect(decideConsent(input({ grants: [mine] })).kind).toBe("granted");
    const group = grant({ consentType: "Groups", groupIds: ["g-sales"], scopes });
    expect(decideConsent(input({ grants: [group] })).kind).toBe("granted");
    // Pieces from several grants add up.
    const split = [
      grant({ scopes: ["openid"] }),
      grant({
        consentType: "Principal",
        principalId: "u-megan",
        scopes: ["offline_access", "Mail.Read"],
      }),
    ];
    expect(decideConsent(input({ grants: split })).kind).toBe("granted");
  });

  it("a grant to someone else, another group, another resource, or an expired one does not count", () => {
    const scopes = ["openid", "offline_access", "Mail.Read"];
    for (const g of [
      grant({ consentType: "Principal", principalId: "u-other", scopes }),
      grant({ consentType: "Groups", groupIds: ["g-finance"], scopes }),
      grant({ resourceAppId: "other-api", scopes }),
      grant({ scopes, expiresAt: new Date(NOW.getTime() - 1) }),
      grant({ scopes, expiresAt: NOW }),
    ]) {
      expect(decideConsent(input({ grants: [g] })).kind).not.toBe("granted");
    }
    expect(
      decideConsent(
        input({ grants: [grant({ scopes, expiresAt: new Date(NOW.getTime() + 1000) })] }),
      ).kind,
    ).toBe("granted");
  });

  it("user_consent: the missing scopes are all allowed by a policy assigned to users", () => {
    const verified = input({
      client: {
        appId: "app-crm",
        publisherTenantId: PUBLISHER,
        publisherVerified: true,
        multiTenant: true,
      },
      requestedScopes: ["openid", "profile", "User.Read"],
    });
    expect(decideConsent(verified)).toEqual({
      kind: "user_consent",
      granted: [],
      missing: ["openid", "profile", "User.Read"],
      canConsentForOrganization: false,
    });
    // Incremental: only what is new is asked.
    const incremental = decideConsent({
      ...verified,
      grants: [grant({ consentType: "Principal", principalId: "u-megan", scopes: ["openid"] })],
    });
    expect(incremental).toMatchObject({
      kind: "user_consent",
      granted: ["openid"],
      missing: ["profile", "User.Read"],
    });
    // An administrator gets the same screen with the organization checkbox.
    const admin = decideConsent({
      ...verified,
      user: { ...verified.user, roles: ["application_administrator"] },
    });
    expect(admin).toMatchObject({ kind: "user_consent", canConsentForOrganization: true });
  });

  it("low-impact policy: a medium scope, an unverified foreign app or an admin-only scope is not user-consentable", () => {
    const verifiedClient = {
      appId: "app-crm",
      publisherTenantId: PUBLISHER,
      publisherVerified: true,
      multiTenant: true,
    };
    expect(
      decideConsent(input({ client: verifiedClient, requestedScopes: ["openid", "Mail.Read"] }))
        .kind,
    ).toBe("approval_required");
    expect(
      decideConsent(
        input({
          requestedScopes: ["openid", "User.Read"],
          client: { ...verifiedClient, publisherVerified: false, multiTenant: false },
        }),
      ).kind,
    ).toBe("approval_required");
    // Apps registered in this organization count like verified ones.
    const homeApp = {
      appId: "app-home",
      publisherTenantId: TENANT,
      publisherVerified: false,
      multiTenant: false,
    };
    expect(
      decideConsent(input({ client: homeApp, requestedScopes: ["openid", "User.Read"] })).kind,
    ).toBe("user_consent");
    const allApps = input({
      tenant: { ...input().tenant, userConsentPolicies: policiesForSetting("all_apps", TENANT) },
      client: verifiedClient,
      requestedScopes: ["Mail.ReadWrite.All"],
    });
    expect(decideConsent(allApps).kind).toBe("approval_required");
  });

  it("risky-app step-up: an unverified multi-tenant app asking beyond low impact never gets user consent", () => {
    const allApps = {
      ...input().tenant,
      userConsentPolicies: policiesForSetting("all_apps", TENANT),
    };
    const risky = decideConsent(
      input({ tenant: allApps, requestedScopes: ["openid", "Mail.Read"] }),
    );
    expect(risky).toMatchObject({ kind: "approval_required", riskyApp: true });
    const lowOnly = decideConsent(
      input({ tenant: allApps, requestedScopes: ["openid", "User.Read"] }),
    );
    expect(lowOnly.kind).toBe("user_consent");
    const verified = decideConsent(
      input({
        tenant: allApps,
        requestedScopes: ["Mail.Read"],
        client: {
          appId: "a",
          publisherTenantId: PUBLISHER,
          publisherVerified: true,
          multiTenant: true,
        },
      }),
    );
    expect(verified.kind).toBe("user_consent");
  });

  it("assignment required: an assigned user still needs an admin's consent", () => {
    const allApps = {
      ...input().tenant,
      userConsentPolicies: policiesForSetting("all_apps", TENANT),
    };
    const d = decideConsent(
      input({
        tenant: allApps,
        requestedScopes: ["openid"],
        servicePrincipal: { accountEnabled: true, blocked: false, appRoleAssignmentRequired: true },
        user: { ...input().user, assigned: true },
      }),
    );
    expect(d.kind).toBe("approval_required");
  });

  it("admin_consent: a user holding a role that may grant tenant-wide", () => {
    for (const role of [
      "global_administrator",
      "privileged_role_administrator",
      "cloud_application_administrator",
      "application_administrator",
    ] as const) {
      expect(decideConsent(input({ user: { ...input().user, roles: [role] } })).kind).toBe(
        "admin_consent",
      );
    }
    for (const role of ["global_reader", "reports_reader"] as const) {
      expect(decideConsent(input({ user: { ...input().user, roles: [role] } })).kind).toBe(
        "approval_required",
      );
    }
  });

  it("approval_required when the workflow is on; admin_approval_needed otherwise", () => {
    const off = input({
      tenant: { ...input().tenant, adminConsentWorkflowEnabled: false, userConsentPolicies: [] },
    });
    expect(decideConsent(off)).toEqual({
      kind: "admin_approval_needed",
      granted: [],
      missing: ["openid", "offline_access", "Mail.Read"],
      riskyApp: true,
    });
    const on = input({ tenant: { ...input().tenant, userConsentPolicies: [] } });
    expect(decideConsent(on).kind).toBe("approval_required");
  });

  it("grantApplies and coverage agree with the table", () => {
    const user = input().user;
    expect(grantApplies(grant({ consentType: "Groups", groupIds: ["g-sales"] }), user, NOW)).toBe(
      true,
    );
    expect(coverage({ ...input(), grants: [grant({ scopes: ["openid"] })] })).toEqual({
      granted: ["openid"],
      missing: ["offline_access", "Mail.Read"],
    });
    expect(builtInPolicies(TENANT).low.includes).toHaveLength(2);
  });
});

// --- properties over generated tenants, apps, users and requests ---

const scopeValue = fc.constantFrom(...SCOPES.map((s) => s.value));
const roles = fc.subarray<DirectoryRoleKey>([
  "global_administrator",
  "privileged_role_administrator",
  "cloud_application_administrator",
  "application_administrator",
  "global_reader",
  "reports_reader",
]);
const arbGrant: fc.Arbitrary<DelegatedGrant> = fc.record({
  consentType: fc.constantFrom("AllPrincipals", "Principal", "Groups") as fc.Arbitrary<
    DelegatedGrant["consentType"]
  >,
  principalId: fc.constantFrom("u-megan", "u-other", null),
  groupIds: fc.subarray(["g-sales", "g-finance"]),
  resourceAppId: fc.constantFrom(MAIL, "other-api"),
  scopes: fc.uniqueArray(scopeValue, { maxLength: 5 }),
  expiresAt: fc.option(
    fc.date({ min: new Date("2026-01-01"), max: new Date("2027-12-31"), noInvalidDate: true }),
    { nil: null },
  ),
});
const arbInput: fc.Arbitrary<ConsentInput> = fc.record({
  now: fc.constant(NOW),
  tenant: fc.record({
    id: fc.constant(TENANT),
    userConsentPolicies: fc
      .constantFrom("disabled", "verified_publishers_low_impact", "all_apps")
      .map((s) => policiesForSetting(s as "disabled", TENANT)),
    adminConsentWorkflowEnabled: fc.boolean(),
    classifications: fc.dictionary(
      scopeValue,
      fc.constantFrom("low", "medium", "high") as fc.Arbitrary<"low">,
    ),
  }),
  client: fc.record({
    appId: fc.constant("app-x"),
    publisherTenantId: fc.constantFrom(TENANT, PUBLISHER),
    publisherVerified: fc.boolean(),
    multiTenant: fc.boolean(),
  }),
  servicePrincipal: fc.record({
    accountEnabled: fc.boolean(),
    blocked: fc.boolean(),
    appRoleAssignmentRequired: fc.boolean(),
  }),
  user: fc.record({
    id: fc.constant("u-megan"),
    roles,
    groupIds: fc.subarray(["g-sales", "g-finance"]),
    assigned: fc.boolean(),
  }),
  resource: fc.constant({ appId: MAIL, scopes: SCOPES }),
  requestedScopes: fc.uniqueArray(scopeValue, { minLength: 1, maxLength: 6 }),
  grants: fc.array(arbGrant, { maxLength: 4 }),
});

describe("properties of the decision", () => {
  it("a disabled or blocked app never yields a code (never 'granted')", () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const d = decideConsent(i);
        if (!i.servicePrincipal.accountEnabled || i.servicePrincipal.blocked)
          expect(d.kind).toBe("app_disabled");
      }),
    );
  });

  it("a user never receives a scope that no grant in force covers", () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const d = decideConsent(i);
        if (d.kind !== "granted") return;
        for (const scope of d.scopes) {
          expect(
            i.grants.some(
              (g) =>
                g.resourceAppId === MAIL &&
                g.scopes.includes(scope) &&
                grantApplies(g, i.user, i.now),
            ),
          ).toBe(true);
        }
        expect([...d.scopes].sort()).toEqual([...new Set(i.requestedScopes)].sort());
      }),
    );
  });

  it("user consent is offered only when every missing scope passes an assigned policy, and never to a risky app", () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const d = decideConsent(i);
        if (d.kind !== "user_consent") return;
        expect(i.tenant.userConsentPolicies.length).toBeGreaterThan(0);
        expect(i.servicePrincipal.appRoleAssignmentRequired).toBe(false);
        const risky =
          i.client.multiTenant &&
          !i.client.publisherVerified &&
          i.client.publisherTenantId !== TENANT;
        if (risky) for (const s of d.missing) expect(i.tenant.classifications[s]).toBe("low");
        for (const s of d.missing)
          expect(SCOPES.find((x) => x.value === s)?.adminConsentRequired).toBe(false);
      }),
    );
  });

  it("granting is monotone: adding a grant never turns a granted request into a refused one", () => {
    fc.assert(
      fc.property(arbInput, arbGrant, (i, extra) => {
        if (decideConsent(i).kind !== "granted") return;
        expect(decideConsent({ ...i, grants: [...i.grants, extra] }).kind).toBe("granted");
      }),
    );
  });

  it("adding a grant never adds to what is missing", () => {
    fc.assert(
      fc.property(arbInput, arbGrant, (i, extra) => {
        const before = coverage(i).missing;
        const after = coverage({ ...i, grants: [...i.grants, extra] }).missing;
        for (const s of after) expect(before).toContain(s);
      }),
    );
  });

  it("Global Administrators are never refused for lack of assignment", () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        if (i.user.roles.includes("global_administrator"))
          expect(decideConsent(i).kind).not.toBe("not_assigned");
      }),
    );
  });

  it("an administrator is never sent to ask for approval", () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const d = decideConsent(i);
        const admin = i.user.roles.some((r) => r !== "global_reader" && r !== "reports_reader");
        if (admin) expect(["approval_required", "admin_approval_needed"]).not.toContain(d.kind);
      }),
    );
  });
});
