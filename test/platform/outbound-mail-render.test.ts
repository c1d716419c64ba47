import { describe, expect, it } from "vitest";
import { escapeHtml, renderEmail, safeUrl } from "../../src/platform/mail/index.ts";

const hostileApp = `<img src=x onerror="alert(1)">Contoso & "Co" 'Mail'`;
const justification = "I need this for <b>work</b>\nSecond line </blockquote><script>x()</script>";

describe("notification email rendering", () => {
  const email = renderEmail({
    subject: `Review the request for ${hostileApp}\r\nBcc: someone@evil.test`,
    heading: `${hostileApp} is waiting for approval`,
    blocks: [
      {
        type: "paragraph",
        content: [{ strong: "Ada <Lovelace>" }, " asked to use ", { strong: hostileApp }, "."],
      },
      {
        type: "details",
        rows: [
          ["Publisher", "Evil\u202Emoc.live\u202C Corp"],
          ["Permissions", "Mail.Read"],
        ],
      },
      { type: "quote", text: justification, attribution: "ada@contoso.test" },
      {
        type: "button",
        label: "Review request",
        url: "https://id.example/contoso/requests/1?a=1&b=2",
      },
      { type: "paragraph", content: { link: { text: "Status", url: "https://id.example/s" } } },
    ],
    footer: "You get this because you review app requests.",
  });

  it("escapes every interpolated value in the HTML part", () => {
    expect(email.html).not.toContain("<img");
    expect(email.html).not.toContain("<script>");
    expect(email.html).not.toContain("<b>work</b>");
    expect(email.html).not.toContain("</blockquote><script>");
    expect(email.html).toContain(
      "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Contoso &amp; &quot;Co&quot; &#39;Mail&#39;",
    );
    expect(email.html).toContain("<strong>Ada &lt;Lovelace&gt;</strong>");
    expect(email.html).toContain('href="https://id.example/contoso/requests/1?a=1&amp;b=2"');
    // The only tags are the template's own.
    const tags = new Set(
      [...email.html.matchAll(/<\/?([a-z0-9]+)/gi)].map((m) => m[1]!.toLowerCase()),
    );
    expect([...tags].sort()).toEqual(
      [
        "a",
        "blockquote",
        "body",
        "br",
        "div",
        "h1",
        "head",
        "html",
        "meta",
        "p",
        "span",
        "strong",
        "table",
        "td",
        "title",
        "tr",
      ].sort(),
    );
  });

  it("produces a readable plain-text part", () => {
    expect(email.text).toContain(`${hostileApp} is waiting for approval`);
    expect(email.text).toContain(`Ada <Lovelace> asked to use ${hostileApp}.`);
    expect(email.text).toContain("> I need this for <b>work</b>\n> Second line");
    expect(email.text).toContain("> — ada@contoso.test");
    expect(email.text).toContain("Review request: https://id.example/contoso/requests/1?a=1&b=2");
    expect(email.text).toContain("Status (https://id.example/s)");
    expect(email.text).toContain("Permissions: Mail.Read");
    expect(email.text).toContain("--\nYou get this because you review app requests.");
  });

  it("keeps the subject to one bounded line and strips bidi overrides", () => {
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.subject.startsWith("Review the request for <img")).toBe(true);
    expect(email.text).toContain("Publisher: Evilmoc.live Corp");
    expect(email.html).not.toMatch(/[\u202A-\u202E]/);
    const long = renderEmail({ subject: "x".repeat(500), blocks: [] });
    expect(long.subject.length).toBe(200);
  });

  it("refuses links that are not http(s)", () => {
    expect(() =>
      renderEmail({
        subject: "s",
        blocks: [{ type: "button", label: "Go", url: "javascript:alert(1)" }],
      }),
    ).toThrow(/must be http\(s\)/);
    expect(() => safeUrl("data:text/html,x")).toThrow();
    expect(() => safeUrl("not a url")).toThrow(/not a valid link/);
    expect(escapeHtml(`'"<>&`)).toBe("&#39;&quot;&lt;&gt;&amp;");
  });
});
