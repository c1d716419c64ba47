import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addHostedDomain, deliver } from "../../src/mail/index.ts";
import { bodyPreview, htmlToText } from "../../src/mail/mailbox/body-text.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import { mailApp, uniqueDomain } from "./support/mail-fixture.ts";
import { startTestIssuer, type TestIssuer } from "./support/test-issuer.ts";

/**
 * Regression: HTML tables were flattened into one run of text ("AppNorthwind CRMPublisher…").
 * A table's rows are on lines of their own with their cells separated by " | ", layout tables
 * (one cell a row, nested) read as plain paragraphs, and the mailbox page shows it so.
 */
describe("tables in HTML bodies", () => {
  it("puts each row on its line with its cells separated", () => {
    expect(
      htmlToText(
        "<table><thead><tr><th>Permission</th><th>Type</th></tr></thead>" +
          "<tbody><tr><td>Mail.Read</td><td>Delegated</td></tr>" +
          "<tr><td>offline_access</td><td>Delegated</td></tr></tbody></table>",
      ),
    ).toBe("Permission | Type\nMail.Read | Delegated\noffline_access | Delegated");
  });

  it("keeps text around the table, empty middle cells, links and entities", () => {
    expect(
      htmlToText(
        "<p>Review the request:</p><table>" +
          "<tr><td><b>App</b></td><td>Northwind&nbsp;CRM</td></tr>" +
          "<tr><td>Link</td><td><a href='https://x.test/r?a=1&amp;b=2'>open</a></td></tr>" +
          "<tr><td>a</td><td></td><td>c &lt;d&gt;</td></tr>" +
          "</table><p>Thanks</p>",
      ),
    ).toBe(
      "Review the request:\nApp | Northwind CRM\nLink | open (https://x.test/r?a=1&b=2)\na | | c <d>\nThanks",
    );
  });

  it("reads layout tables (one cell, nested, spacer cells) as paragraphs", () => {
    expect(
      htmlToText(
        '<table width="100%"><tr><td width="20"></td><td>' +
          "<h1>Your request was approved</h1>" +
          "<table><tr><td>Requested by</td><td>Megan Bowen</td></tr></table>" +
          "<p>Try again.</p></td><td></td></tr></table>",
      ),
    ).toBe("Your request was approved\nRequested by | Megan Bowen\nTry again.");
  });

  it("makes a one-line preview of a table", () => {
    expect(
      bodyPreview({
        contentType: "html",
        content: "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
      }),
    ).toBe("a | b c | d");
  });
});

describe.each(["pglite", "postgres"] as const)("the mailbox page's tables on %s", (kind) => {
  let t: TestDatabase | undefined;
  let issuer: TestIssuer;
  let app: FastifyInstance;
  let tenant: string;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    issuer = await startTestIssuer();
    tenant = await issuer.addTenant();
    if (t) app = mailApp(issuer, t.database);
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
    await t?.close();
  });

  it("shows a table's rows on lines, its cells separated, escaped", async (ctx) => {
    if (!t) return ctx.skip();
    const domain = uniqueDomain();
    await addHostedDomain(t.database.db, domain, tenant);
    await deliver(t.database.db, {
      from: { address: "notify@assent.localhost", name: "Assent" },
      recipients: [`grace@${domain}`],
      toRecipients: [{ address: `grace@${domain}` }],
      subject: "Review the request",
      body: {
        contentType: "html",
        content:
          "<table><tr><th>App</th><th>Publisher</th></tr>" +
          "<tr><td>Northwind CRM</td><td>&lt;script&gt;x&lt;/script&gt;</td></tr></table>",
      },
    });
    const page = await app.inject({ url: `/mailbox?address=grace@${domain}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      "App | Publisher\nNorthwind CRM | &lt;script&gt;x&lt;/script&gt;</pre>",
    );
    expect(page.body).not.toContain("<script>x");
  });
});
