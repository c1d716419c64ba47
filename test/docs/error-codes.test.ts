import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { errorCodesMarkdown } from "../../scripts/error-codes-doc.ts";

describe("docs/error-codes.md", () => {
  it("lists every code of the error catalog (regenerate with npm run docs:error-codes)", () => {
    const onDisk = readFileSync(resolve(import.meta.dirname, "../../docs/error-codes.md"), "utf8");
    expect(onDisk).toBe(errorCodesMarkdown());
  });
});
