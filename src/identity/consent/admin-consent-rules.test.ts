import { describe, expect, it } from "vitest";
import { MAIL_RESOURCE } from "../apps/mail-resource.ts";
import { isConsentAdministrator, mayGrantForOrganization } from "./admin-consent-rules.ts";

const mailRole = {
  type: "application" as const,
  resourceAppId: MAIL_RESOURCE.appId,
  value: "Mail.Read.All",
};
const otherRole = {
  type: "application" as const,
  resourceAppId: "other-api",
  value: "Things.Read.All",
};
const delegated = {
  type: "delegated" as const,
  resourceAppId: MAIL_RESOURCE.appId,
  value: "Mail.Read",
};

describe("who may grant what for the organization", () => {
  it("Global and Privileged Role Administrators: everything", () => {
    for (const role of ["global_administrator", "privileged_role_administrator"] as const)
      for (const p of [mailRole, otherRole, delegated])
        expect(mayGrantForOrganization([role], p)).toBe(true);
  });

  it("Cloud Application and Application Administrators: delegated and non-Mail app roles", () => {
    for (const role of ["cloud_application_administrator", "application_administrator"] as const) {
      expect(mayGrantForOrganization([role], delegated)).toBe(true);
      expect(mayGrantForOrganization([role], otherRole)).toBe(true);
      expect(mayGrantForOrganization([role], mailRole)).toBe(false);
    }
  });

  it("readers and plain users: nothing", () => {
    for (const roles of [[], ["global_reader"], ["reports_reader"]] as const) {
      expect(mayGrantForOrganization(roles, delegated)).toBe(false);
      expect(isConsentAdministrator(roles)).toBe(false);
    }
    expect(isConsentAdministrator(["application_administrator"])).toBe(true);
  });
});
