import { describe, expect, it } from "vitest";
import { GraphError } from "../../src/mail/graph/graph-error.ts";
import { nextPageQuery, parseMessageListQuery } from "../../src/mail/graph/odata-query.ts";
import { bodyPreview, htmlToText } from "../../src/mail/mailbox/body-text.ts";

describe("OData query options of message collections", () => {
  it("defaults to 10 newest first, every property", () => {
    expect(parseMessageListQuery({})).toEqual({
      top: 10,
      skip: 0,
      select: undefined,
      order: "desc",
    });
  });

  it("parses $top, $skip, $select (id always included) and $orderby", () => {
    expect(
      parseMessageListQuery({
        $top: "1000",
        $skip: "20",
        $select: "subject, from",
        $orderby: "receivedDateTime",
        other: "ignored",
      }),
    ).toEqual({ top: 1000, skip: 20, select: ["id", "subject", "from"], order: "asc" });
    expect(parseMessageListQuery({ $orderby: "receivedDateTime DESC" }).order).toBe("desc");
  });

  it("throws a 400 GraphError for anything it cannot honour", () => {
    for (const query of [
      { $top: "0" },
      { $top: "-1" },
      { $top: "1e3" },
      { $skip: "x" },
      { $select: "Subject" },
      { $count: "true" },
      { $search: "x" },
    ]) {
      const attempt = () => parseMessageListQuery(query);
      expect(attempt).toThrow(GraphError);
      try {
        attempt();
      } catch (error) {
        expect((error as GraphError).status).toBe(400);
      }
    }
  });

  it("builds the next page's query keeping $select and ordering", () => {
    const q = parseMessageListQuery({
      $top: "5",
      $skip: "5",
      $select: "subject",
      $orderby: "receivedDateTime asc",
    });
    expect(nextPageQuery(q)).toBe(
      "$top=5&$skip=10&$select=id,subject&$orderby=receivedDateTime+asc",
    );
  });
});

describe("body text", () => {
  it("reduces HTML to text, keeping link targets and dropping scripts", () => {
    expect(
      htmlToText(
        '<html><head><title>t</title><style>p{}</style></head><body><p>Hello&nbsp;Ada,</p><p>Please <a href="https://x.test/r?a=1&amp;b=2">review</a>.</p><script>alert(1)</script><ul><li>one</li><li>two</li></ul></body></html>',
      ),
    ).toBe("Hello Ada,\nPlease review (https://x.test/r?a=1&b=2).\n- one\n- two");
    expect(htmlToText('<a href="https://x.test">https://x.test</a>')).toBe("https://x.test");
    expect(htmlToText('<a href="javascript:alert(1)">click</a>')).toBe("click");
    expect(htmlToText("&lt;b&gt; &#65;&#x42;")).toBe("<b> AB");
  });

  it("cuts the preview at 255 characters on one line", () => {
    const preview = bodyPreview({
      contentType: "text",
      content: `line one\n\nline two ${"x".repeat(400)}`,
    });
    expect(preview.startsWith("line one line two x")).toBe(true);
    expect(preview).toHaveLength(255);
  });
});
