import { createElement as h } from "react";
import { describe, expect, it } from "vitest";
import { AppBlockedPage } from "./app-blocked-page.tsx";
import { ApprovalRequiredPage } from "./approval-required-page.tsx";
import {
  ConsentRequestStatusPage,
  type ConsentRequestStatusPageProps,
  type RequestStatusShown,
} from "./consent-request-status-page.tsx";
import { readableTime } from "./dates.ts";
import { renderPage } from "./layout.tsx";
import { RequestSentPage } from "./request-sent-page.tsx";

const MARKUP = `"><script>alert(1)</script>`;
const ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;";
const app = {
  name: `App ${MARKUP}`,
  logoUrl: "javascript:alert(1)",
  publisherName: `Pub ${MARKUP}`,
  publisherVerified: false,
};
const permission = {
  value: "Mail.Read",
  title: `Read ${MARKUP}`,
  description: `Desc ${MARKUP}`,
  resourceName: `API ${MARKUP}`,
  kind: "delegated" as const,
};

function statusPage(status: RequestStatusShown, extra: Partial<ConsentRequestStatusPageProps>) {
  return renderPage(
    h(ConsentRequestStatusPage, {
      userPrincipalName: "megan@contoso.com",
      tenantName: `Contoso ${MARKUP}`,
      app,
      status,
      approvedForYou: null,
      reason: null,
      justification: `Because ${MARKUP}`,
      scopes: [{ resourceName: `API ${MARKUP}`, scopes: [MARKUP] }],
      requestedAt: "2026-01-01 10:00 UTC",
      expiresAt: "2026-01-31 10:00 UTC",
      decidedAt: null,
      myAppsUrl: "/t/myapps",
      ...extra,
    }),
  );
}

describe("the admin consent workflow's pages", () => {
  it("render every app-supplied and user-supplied string inert", () => {
    const pages = [
      renderPage(
        h(ApprovalRequiredPage, {
          app,
          userPrincipalName: "megan@contoso.com",
          permissions: [permission],
          returnUrl: "/t/interaction/u/return",
          csrfToken: "tok",
          requestsEnabled: true,
          requestUrl: "/t/interaction/u/request-approval",
          permissionsField: "x/Mail.Read",
          justificationMaxLength: 1000,
          justification: `typed ${MARKUP}`,
          error: `error ${MARKUP}`,
        }),
      ),
      renderPage(
        h(RequestSentPage, {
          app,
          userPrincipalName: "megan@contoso.com",
          permissions: [permission],
          justification: `Because ${MARKUP}`,
          reviewersNotified: true,
          statusUrl: "/t/consent-requests/r",
          expiresOn: "2026-01-31 10:00 UTC",
          returnUrl: "/t/interaction/u/return",
          csrfToken: "tok",
        }),
      ),
      renderPage(h(AppBlockedPage, { app, continueUrl: "http://127.0.0.1:9/cb?error=x" })),
      statusPage("denied", { reason: `No ${MARKUP}`, decidedAt: "2026-01-02 10:00 UTC" }),
    ];
    for (const html of pages) {
      expect(html).not.toContain("<script>alert");
      expect(html).not.toContain("javascript:alert");
      expect(html).toContain(ESCAPED);
    }
  });

  it("Approval required: the form posts the justification, bounded, and keeps what was typed", () => {
    const html = renderPage(
      h(ApprovalRequiredPage, {
        app,
        userPrincipalName: "u",
        permissions: [permission],
        returnUrl: "/r",
        csrfToken: "tok",
        requestsEnabled: true,
        requestUrl: "/q",
        permissionsField: "x/Mail.Read",
        justificationMaxLength: 1000,
        justification: "I read my mail",
        error: "Too long",
      }),
    );
    expect(html).toMatch(/<form action="\/q" method="post">/);
    expect(html).toMatch(/<textarea[^>]*name="justification"[^>]*maxLength="1000"/i);
    expect(html).toContain(">I read my mail</textarea>");
    expect(html).toContain('role="alert">Too long</p>');
    expect(html).toContain("Request approval</button>");
    const off = renderPage(
      h(ApprovalRequiredPage, {
        app,
        userPrincipalName: "u",
        permissions: [permission],
        returnUrl: "/r",
        csrfToken: "tok",
        requestsEnabled: false,
        justificationMaxLength: 1000,
      }),
    );
    expect(off).not.toContain("Request approval</button>");
    expect(off).toContain("not enabled in this organization");
  });

  it("the status page says where the request stands, with Withdraw only when given", () => {
    const pending = statusPage("pending", { withdraw: { url: "/w", csrfToken: "tok" } });
    expect(pending).toContain("Waiting for a reviewer");
    expect(pending).toContain("2026-01-31 10:00 UTC");
    expect(pending).toContain("Withdraw</button>");
    const mine = statusPage("approved", {
      approvedForYou: true,
      tryAgainUrl: "https://app.example/",
      decidedAt: "2026-01-02 10:00 UTC",
    });
    expect(mine).toContain("approved this app for you on 2026-01-02 10:00 UTC");
    expect(mine).toContain('<a href="https://app.example/">Try again</a>');
    expect(mine).not.toContain("Withdraw</button>");
    expect(statusPage("approved", { approvedForYou: false })).toContain("does not include you");
    expect(statusPage("blocked", { reason: "Phishing" })).toContain(
      "Your organization has blocked this app",
    );
    expect(statusPage("expired", {})).toContain("expired on 2026-01-31 10:00 UTC");
    expect(statusPage("withdrawn", {})).toContain("You withdrew this request");
  });

  it("the blocked page offers no request, only the way back; the name alone when that is all", () => {
    const html = renderPage(
      h(AppBlockedPage, {
        app: { name: `App ${MARKUP}` },
        continueUrl: "http://127.0.0.1:9/cb?error=unauthorized_client",
        requestId: "req-1",
      }),
    );
    expect(html).toContain("Your organization has blocked this app");
    expect(html).toContain(ESCAPED);
    expect(html).not.toContain("Unverified");
    expect(html).not.toContain("Request approval");
    expect(html).toContain("Request id for your administrator: req-1.");
    expect(html).toContain(
      '<a href="http://127.0.0.1:9/cb?error=unauthorized_client">Back to the application</a>',
    );
  });

  it("writes moments in UTC to the minute", () => {
    expect(readableTime(new Date("2026-03-04T14:05:59.123Z"))).toBe("2026-03-04 14:05 UTC");
  });
});
