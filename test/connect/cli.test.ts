import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/index.ts";
import { freePort, spawnAssent } from "../support/processes.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(label: string) {
  const dir = mkdtempSync(join(tmpdir(), `assent-connect-${label}-`));
  dirs.push(dir);
  return dir;
}

async function run(env: Record<string, string>, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "assent", ...args], {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    readSecret: async () => "",
    env,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("assent connect app create", () => {
  it("registers an application and prints its API key once; bad input is one clear line", async () => {
    const env = { ASSENT_DATA_DIR: tempDir("cli"), LOG_LEVEL: "silent" };
    const created = await run(
      env,
      "connect",
      "app",
      "create",
      "--name",
      "Northwind CRM",
      "--redirect-uri",
      "https://crm.example/cb",
      "--json",
    );
    expect(created.code, created.stderr).toBe(0);
    const body = JSON.parse(created.stdout) as Record<string, unknown>;
    expect(body).toMatchObject({
      name: "Northwind CRM",
      callback_uris: ["https://crm.example/cb"],
    });
    expect(body.client_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.api_key).toMatch(/^ack_/);

    const human = await run(env, "connect", "app", "create", "--name", "Second");
    expect(human.stdout).toContain("The API key is shown only now");

    const bad = await run(
      env,
      "connect",
      "app",
      "create",
      "--name",
      "X",
      "--redirect-uri",
      "not a url",
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toBe('assent: The callback URI "not a url" is not an absolute URL.');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("assent serve connect", () => {
  it("runs Connect alone: health, and the API's Nylas error envelope", async () => {
    const vars = {
      ASSENT_DATA_DIR: tempDir("serve"),
      ASSENT_IDENTITY_PORT: String(await freePort()),
      ASSENT_CONNECT_PORT: String(await freePort()),
      ASSENT_MAIL_PORT: String(await freePort()),
      ASSENT_MAIL_SMTP_PORT: String(await freePort()),
      LOG_LEVEL: "info",
    };
    const connect = spawnAssent(["serve", "connect"], vars);
    try {
      await connect.waitFor(/Assent is running/, 90_000);
      const base = `http://localhost:${vars.ASSENT_CONNECT_PORT}`;
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
        status: "ready",
        service: "connect",
      });
      const unauthorised = await fetch(`${base}/v3/grants`);
      expect(unauthorised.status).toBe(401);
      expect(await unauthorised.json()).toMatchObject({ error: { type: "unauthorized" } });
      await expect(fetch(`http://localhost:${vars.ASSENT_IDENTITY_PORT}/readyz`)).rejects.toThrow();
    } finally {
      connect.child.kill("SIGTERM");
    }
    expect(await connect.exited).toBe(0);
  });
});
