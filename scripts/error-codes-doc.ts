import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { ERROR_CATALOG } from "../src/identity/oauth/error-catalog.ts";

/**
 * docs/error-codes.md, generated from the error catalog so the two never disagree:
 * `npm run docs:error-codes`. A test fails when the file is stale.
 */
export function errorCodesMarkdown(): string {
  const rows = Object.entries(ERROR_CATALOG)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, e]) => {
      const cell = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");
      return `| AST${code} | \`${e.error}\`${e.suberror ? ` (suberror \`${e.suberror}\`)` : ""} | ${e.name} | ${cell(e.message)} | ${cell(e.userFix)} | ${cell(e.adminFix)} |`;
    });
  return [
    "# Error codes",
    "",
    "Every error Assent Identity emits carries a numeric code with the same meaning as in Microsoft",
    "Entra ID, so applications and client libraries written for Microsoft's identity platform can",
    "branch on it unchanged. The code is in `error_codes` (back channel and front channel), at the",
    "start of `error_description` (`AST<code>: …`), on every error page's troubleshooting block, and",
    "in the sign-in log. `GET /error?code=N` explains a code to people.",
    "",
    "This file is generated from `src/identity/oauth/error-catalog.ts` by `npm run docs:error-codes`.",
    "",
    "| code | OAuth error | name | message | what the user can do | what the administrator can do |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}

if (process.argv[1] && import.meta.filename === resolve(process.argv[1])) {
  writeFileSync(resolve(import.meta.dirname, "../docs/error-codes.md"), errorCodesMarkdown());
  console.log("docs/error-codes.md written");
}
