import { describe, expect, it } from "vitest";
import { MAX_REDIRECT_URI_LENGTH, redirectUriProblem } from "./redirect-uri.ts";

describe("redirect URI rules", () => {
  it.each([
    "https://app.example.com/callback",
    "https://app.example.com:8443/auth/callback?tenant=contoso",
    "http://localhost/callback",
    "http://localhost:5173/cb",
    "http://127.0.0.1:49152/",
    "http://[::1]:8080/cb",
    "https://localhost:3000/cb",
  ])("accepts %s", (uri) => {
    expect(redirectUriProblem(uri)).toBeUndefined();
  });

  it.each([
    ["http://app.example.com/cb", /https/],
    ["http://127.0.0.2/cb", /https/],
    ["http://localhost.example.com/cb", /https/],
    ["https://app.example.com/cb#frag", /fragment/],
    ["https://app.example.com/cb#", /fragment/],
    ["https://*.example.com/cb", /wildcard/],
    ["https://app.example.com/*", /wildcard/],
    ["/callback", /absolute/],
    ["app.example.com/callback", /absolute/],
    ["https:app.example.com/cb", /absolute/],
    ["", /empty/],
    [" https://app.example.com/cb", /spaces/],
    ["https://app.example.com/a b", /spaces/],
    ["javascript://alert(1)", /https/],
    ["myapp://callback", /https/],
    ["https://user:pass@app.example.com/cb", /user name/],
    [`https://app.example.com/${"a".repeat(MAX_REDIRECT_URI_LENGTH)}`, /longer than 256/],
  ])("refuses %s", (uri, reason) => {
    expect(redirectUriProblem(uri)).toMatch(reason);
  });
});
