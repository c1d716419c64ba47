import fc from "fast-check";
import { expect } from "vitest";

/**
 * The fuzzing harness: every request must complete (a generous per-request timeout is the hang
 * detector, not a speed assertion), never answer 5xx, never show a stack trace or an internal
 * path, and stay bounded in size.
 */
export const REQUEST_TIMEOUT_MS = 30_000;
export const MAX_BODY_BYTES = 256 * 1024;

// What a leaked stack trace or internal detail looks like in an answer.
const LEAKS = [
  /\bat [\w.<>$]+ \(?(?:file:\/\/)?\/[^\s)]+:\d+:\d+\)?/, // V8 stack frame
  /node_modules\//,
  /\/work\/main|\/src\/identity\/|\/src\/connect\/|\/src\/platform\//,
  /\b(?:TypeError|ReferenceError|SyntaxError|RangeError): /,
  /\bKysely|\bPGlite|\bpg_catalog|syntax error at or near/i,
];

export interface Answer {
  status: number;
  text: string;
}

export async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, {
    redirect: "manual",
    ...init,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: response.status, text: await response.text() };
}

/** The harness's assertions on one answer; `what` names the request in failures. */
export function expectSane(answer: Answer, what: string): void {
  // A 502 that names the provider it could not reach (Connect's passthrough to a provider of a
  // seeded grant: no network here) is a correct answer, not a server failure.
  const upstream = answer.status === 502 && /"type":"provider_error"/.test(answer.text);
  if (!upstream) expect(answer.status, `${what}: ${answer.text.slice(0, 500)}`).toBeLessThan(500);
  for (const leak of LEAKS)
    expect(answer.text, `${what}: leaks ${leak} in ${answer.text.slice(0, 500)}`).not.toMatch(leak);
  expect(Buffer.byteLength(answer.text), what).toBeLessThan(MAX_BODY_BYTES);
}

/** Strings that break things: unicode, controls, huge, injection-looking, URL-ish. */
export const nasty: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "%00",
    "\uD800",
    "\u202Eevil",
    "'; drop table identity.users; --",
    "<script>alert(1)</script>",
    "../../../../etc/passwd",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style payload, literally.
    "${jndi:ldap://x}",
    "{{7*7}}",
    "null",
    "undefined",
    "[object Object]",
    "-1",
    "0",
    "1e308",
    "NaN",
    "9".repeat(400),
    "https://evil.example/cb",
    "http://127.0.0.1:9/callback",
    "javascript:alert(1)",
    "openid offline_access Mail.Read",
    "api://assent-admin/.default",
    "00000000-0000-0000-0000-000000000000",
    "x".repeat(5000),
  ),
);

/** JSON values of every shape: nested, wrong types, big numbers. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    nasty,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(nasty, tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** fast-check's settings for these properties: bounded, reproducible from the printed seed. */
export const RUNS = { numRuns: 120, endOnFailure: true } as const;
