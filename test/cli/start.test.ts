import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort, spawnAssent } from "../support/processes.ts";

async function env(dataDir: string) {
  const port = await freePort();
  return {
    ASSENT_DATA_DIR: dataDir,
    ASSENT_IDENTITY_PORT: String(port),
    ASSENT_CONNECT_PORT: String(await freePort()),
    ASSENT_MAIL_PORT: String(await freePort()),
    ASSENT_MAIL_SMTP_PORT: String(await freePort()),
    ASSENT_DEMO_PORT: String(await freePort()),
    LOG_LEVEL: "info",
  };
}

describe("assent start", () => {
  it("starts on the embedded database, answers /readyz, stops cleanly on Ctrl-C and reuses its data", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "assent-start-"));
    const vars = await env(dataDir);
    const identityUrl = `http://localhost:${vars.ASSENT_IDENTITY_PORT}`;

    const first = spawnAssent(["start"], vars);
    await first.waitFor(/Assent is running/, 90_000);
    expect(first.output()).toContain(identityUrl);
    expect(first.output()).toMatch(/embedded database/);
    // First start on an empty database seeds the demo world and prints how to sign in.
    expect(first.output()).toContain("Demo data created:");
    expect(first.output()).toContain("admin@contoso.com");
    expect(first.output()).toMatch(/Password for every demo user: \S+/);
    const ready = await fetch(`${identityUrl}/readyz`);
    expect(ready.status).toBe(200);

    // The embedded database belongs to the running process: a second one is refused clearly.
    const intruder = spawnAssent(["migrate"], vars);
    expect(await intruder.exited).not.toBe(0);
    expect(intruder.output()).toMatch(/in use by another Assent process/);
    expect(intruder.output()).not.toMatch(/\n\s+at /); // no stack trace

    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain("Assent stopped.");
    expect(first.output()).toMatch(/migrations applied/);

    const second = spawnAssent(["start"], vars);
    await second.waitFor(/Assent is running/, 90_000);
    expect((await fetch(`${identityUrl}/readyz`)).status).toBe(200);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    // Same data directory, nothing to migrate the second time.
    expect(second.output()).not.toMatch(/migrations applied/);
    expect(second.output()).toContain("Demo data:");
    expect(second.output()).not.toContain("Demo data created:");
  });
});

describe("assent serve", () => {
  it("runs one service alone, and refuses an unknown one clearly", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "assent-serve-"));
    const vars = await env(dataDir);
    const unknown = spawnAssent(["serve", "nope"], vars);
    expect(await unknown.exited).not.toBe(0);
    expect(unknown.output()).toContain('unknown service "nope": choose one of identity, mail');

    const mail = spawnAssent(["serve", "mail"], vars);
    await mail.waitFor(/Assent is running/, 90_000);
    expect(mail.output()).toContain(`Mail API  http://localhost:${vars.ASSENT_MAIL_PORT}`);
    expect(mail.output()).not.toContain("Identity  ");
    expect((await fetch(`http://localhost:${vars.ASSENT_MAIL_PORT}/readyz`)).status).toBe(200);
    await expect(fetch(`http://localhost:${vars.ASSENT_IDENTITY_PORT}/readyz`)).rejects.toThrow();
    mail.child.kill("SIGTERM");
    expect(await mail.exited).toBe(0);
  });
});
