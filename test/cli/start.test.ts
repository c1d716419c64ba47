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
    // The demo app runs beside the services, and the banner says what to try with it.
    const crmUrl = `http://localhost:${vars.ASSENT_DEMO_PORT}`;
    expect(first.output()).toContain(`Demo app  ${crmUrl}`);
    expect(first.output()).toMatch(/Its Connect application: client id \S+, API key ack_\S+/);
    expect(first.output()).toContain("Try this:");
    expect(first.output()).toContain(`1. Open ${crmUrl} as megan@contoso.com`);
    const crm = await fetch(crmUrl);
    expect(crm.status).toBe(200);
    expect(await crm.text()).toContain("Connect your mailbox");

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
    // The same demo app credentials on every start of the same data.
    const key = /API key (ack_\S+)/;
    expect(key.exec(second.output())?.[1]).toBe(key.exec(first.output())?.[1]);

    // --reset starts from scratch: the demo world is created again.
    const third = spawnAssent(["start", "--reset"], vars);
    await third.waitFor(/Assent is running/, 90_000);
    expect(third.output()).toContain("Deleted the embedded database");
    expect(third.output()).toContain("Demo data created:");
    expect(key.exec(third.output())?.[1]).not.toBe(key.exec(first.output())?.[1]);
    third.child.kill("SIGTERM");
    expect(await third.exited, third.output().slice(-3000)).toBe(0);
  }, 240_000);

  it("refuses --reset on PostgreSQL: a flag never drops a database", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "assent-reset-"));
    const vars = { ...(await env(dataDir)), DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" };
    const refused = spawnAssent(["start", "--reset"], vars);
    expect(await refused.exited).not.toBe(0);
    expect(refused.output()).toContain("assent: --reset deletes the embedded database only");
    expect(refused.output()).not.toMatch(/\n\s+at /);
  });
});

describe("assent serve", () => {
  it("runs one service alone, and refuses an unknown one clearly", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "assent-serve-"));
    const vars = await env(dataDir);
    const unknown = spawnAssent(["serve", "nope"], vars);
    expect(await unknown.exited).not.toBe(0);
    expect(unknown.output()).toContain('unknown service "nope": choose one of identity, mail, connect');

    const mail = spawnAssent(["serve", "mail"], vars);
    await mail.waitFor(/Assent is running/, 90_000);
    expect(mail.output()).toContain(`Mail API  http://localhost:${vars.ASSENT_MAIL_PORT}`);
    expect(mail.output()).not.toContain("Identity  ");
    expect((await fetch(`http://localhost:${vars.ASSENT_MAIL_PORT}/readyz`)).status).toBe(200);
    await expect(fetch(`http://localhost:${vars.ASSENT_IDENTITY_PORT}/readyz`)).rejects.toThrow();
    mail.child.kill("SIGTERM");
    expect(await mail.exited).toBe(0);
    // Process start-up on a loaded 2-core machine: the waits above bound it, not the default.
  }, 240_000);
});
