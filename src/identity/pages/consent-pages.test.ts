import { createElement as h } from "react";
import { describe, expect, it } from "vitest";
import { AdminConsentPage } from "./admin-consent-page.tsx";
import { ConsentPage } from "./consent-page.tsx";
import { renderPage } from "./layout.tsx";
import { MyAppsPage } from "./my-apps-page.tsx";
import { NeedAdminApprovalPage } from "./need-admin-approval-page.tsx";

const MARKUP = `"><script>alert(1)</script>`;
const app = (logoUrl: string) => ({
  name: `App ${MARKUP}`,
  logoUrl,
  publisherName: `Pub ${MARKUP}`,
  publisherVerified: true,
});
const permission = {
  value: "Mail.Read",
  title: `Read ${MARKUP}`,
  description: `Desc ${MARKUP}`,
  resourceName: `API ${MARKUP}`,
  kind: "delegated" as const,
};

describe("consent pages render app-supplied text inert", () => {
  it("escapes names, publishers and permission texts, and shows only https logos", () => {
    for (const logo of ["javascript:alert(1)", "data:text/html,x", "http://evil.example/x.png"]) {
      const pages = [
        renderPage(
          h(ConsentPage, {
            app: app(logo),
            userPrincipalName: "megan@contoso.com",
            permissions: [permission],
            alreadyGranted: [],
            actionUrl: "/t/interaction/u/consent",
            cancelUrl: "/t/interaction/u/cancel",
            csrfToken: "tok",
            permissionsField: "x/Mail.Read",
            showOrganizationCheckbox: true,
            reportUrl: "/t/report-app",
            myAppsUrl: "/t/myapps",
          }),
        ),
        renderPage(
          h(NeedAdminApprovalPage, {
            app: app(logo),
            userPrincipalName: "megan@contoso.com",
            adminSignInUrl: "/t/oauth2/v2.0/authorize?prompt=login",
            returnUrl: "/t/interaction/u/return",
            csrfToken: "tok",
            riskyApp: true,
          }),
        ),
        renderPage(
          h(AdminConsentPage, {
            app: app(logo),
            tenantName: `Tenant ${MARKUP}`,
            userPrincipalName: "admin@contoso.com",
            permissions: [permission],
            ungrantable: [],
            actionUrl: "/t/v2.0/adminconsent",
            csrfToken: "tok",
            request: {
              client_id: "c",
              scope: `s ${MARKUP}`,
              redirect_uri: "http://r",
              state: MARKUP,
            },
            otherAccountUrl: "/t/v2.0/adminconsent?prompt=login",
          }),
        ),
        renderPage(
          h(MyAppsPage, {
            userPrincipalName: "megan@contoso.com",
            tenantName: "Contoso",
            apps: [
              {
                id: "sp",
                app: app(logo),
                permissions: [{ resourceName: MARKUP, scopes: [MARKUP] }],
                grantedAt: "2026-01-01",
              },
            ],
            removeUrl: "/t/myapps/remove",
            csrfToken: "tok",
          }),
        ),
      ];
      for (const html of pages) {
        expect(html).not.toContain("<script>alert");
        expect(html).not.toContain(logo);
        expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      }
    }
    const withLogo = renderPage(
      h(NeedAdminApprovalPage, {
        app: app("https://cdn.example/logo.png"),
        userPrincipalName: "u",
        adminSignInUrl: "/a",
        returnUrl: "/r",
        csrfToken: "t",
        riskyApp: false,
      }),
    );
    expect(withLogo).toContain('<img src="https://cdn.example/logo.png"');
    expect(withLogo).toContain("Verified");
  });
});
