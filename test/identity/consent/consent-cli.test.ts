import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/index.ts";
import { createScratchPostgres, postgresReachable } from "../../support/databases.ts";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(env: Record<string, string>, ...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "assent", ...args], {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    readSecret: async () => "correct horse battery staple",
    env,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

function json<T = Record<string, unknown>>(r: Run): T {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

// Like the other CLI suites, on PostgreSQL (each command opens the database anew); the services
// these commands call are tested on PGlite and PostgreSQL in the other files of this folder.
describe("assent consent commands on PostgreSQL", () => {
  let env: Record<string, string> | undefined;
  let drop = async () => {};
  let dataDir = "";

  beforeAll(async () => {
    if (!(await postgresReachable()) && !process.env.CI && !process.env.ASSENT_REQUIRE_POSTGRES)
      return;
    const scratch = await createScratchPostgres();
    drop = scratch.drop;
    dataDir = mkdtempSync(join(tmpdir(), "assent-consent-cli-"));
    env = {
      DATABASE_URL: scratch.url,
      ASSENT_DATA_DIR: dataDir,
      ASSENT_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
      LOG_LEVEL: "silent",
    };
  });
  afterAll(async () => {
    await drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("changes settings, grants, lists, classifies and revokes", async (ctx) => {
    if (!env) return ctx.skip();
    expect((await run(env, "tenant", "create", "contoso", "--name", "Contoso")).code).toBe(0);
    expect(
      (
        await run(
          env,
          "user",
          "create",
          "megan@contoso.example",
          "--tenant",
          "contoso",
          "--name",
          "Megan",
        )
      ).code,
    ).toBe(0);
    expect((await run(env, "group", "create", "Sales", "--tenant", "contoso")).code).toBe(0);
    const app = json<{ appId: string }>(
      await run(env, "app", "create", "Contoso CRM", "--tenant", "contoso", "--json"),
    );

    const defaults = await run(env, "consent", "settings", "--tenant", "contoso");
    expect(defaults.stdout).toContain("verified_publishers_low_impact");
    expect(defaults.stdout).toContain("admin consent workflow  off");
    expect(
      json(
        await run(
          env,
          "consent",
          "settings",
          "--tenant",
          "contoso",
          "--user-consent",
          "disabled",
          "--workflow",
          "on",
          "--json",
        ),
      ),
    ).toEqual({ userConsent: "disabled", adminConsentWorkflowEnabled: true });
    const bad = await run(
      env,
      "consent",
      "settings",
      "--tenant",
      "contoso",
      "--user-consent",
      "maybe",
    );
    expect(bad.code).not.toBe(0);

    const org = json<Array<{ id: string; consentType: string; scopes: string[] }>>(
      await run(
        env,
        "consent",
        "grant",
        app.appId,
        "--tenant",
        "contoso",
        "--scope",
        "openid Mail.Read",
        "--json",
      ),
    );
    expect(org).toMatchObject([{ consentType: "AllPrincipals", scopes: ["openid", "Mail.Read"] }]);
    const mine = await run(
      env,
      "consent",
      "grant",
      app.appId,
      "--tenant",
      "contoso",
      "--scope",
      "User.Read",
      "--user",
      "megan@contoso.example",
      "--expires",
      "30d",
    );
    expect(mine.stdout).toMatch(/for megan@contoso.example .* until /);
    const group = json<Array<{ consentType: string }>>(
      await run(
        env,
        "consent",
        "grant",
        app.appId,
        "--tenant",
        "contoso",
        "--scope",
        "Mail.Send",
        "--group",
        "Sales",
        "--json",
      ),
    );
    expect(group[0]?.consentType).toBe("Groups");
    // Granting again adds; it never drops what was granted before.
    json(
      await run(
        env,
        "consent",
        "grant",
        app.appId,
        "--tenant",
        "contoso",
        "--scope",
        "User.Read",
        "--json",
      ),
    );
    const listed = json<Array<{ id: string; consentType: string; scopes: string[] }>>(
      await run(env, "consent", "list", "--tenant", "contoso", "--json"),
    );
    expect(listed).toHaveLength(3);
    expect(listed.find((g) => g.consentType === "AllPrincipals")?.scopes).toEqual([
      "openid",
      "Mail.Read",
      "User.Read",
    ]);
    expect((await run(env, "consent", "list", "--tenant", "contoso")).stdout).toContain("everyone");

    const unknownScope = await run(
      env,
      "consent",
      "grant",
      app.appId,
      "--tenant",
      "contoso",
      "--scope",
      "Mail.Nope",
    );
    expect(unknownScope.code).toBe(1);
    expect(unknownScope.stderr).toContain("Mail.Nope");

    expect(
      (await run(env, "consent", "classify", "Mail.ReadBasic", "low", "--tenant", "contoso"))
        .stdout,
    ).toContain("Classified Assent Mail Mail.ReadBasic as low");
    expect(
      (await run(env, "consent", "classify", "Mail.ReadBasic", "huge", "--tenant", "contoso")).code,
    ).toBe(1);

    const orgId = listed.find((g) => g.consentType === "AllPrincipals")?.id ?? "";
    const partial = await run(
      env,
      "consent",
      "revoke",
      orgId,
      "--tenant",
      "contoso",
      "--scope",
      "Mail.Read",
    );
    expect(partial.stdout).toContain("it keeps openid User.Read");
    expect((await run(env, "consent", "revoke", orgId, "--tenant", "contoso")).code).toBe(0);
    const gone = await run(env, "consent", "revoke", orgId, "--tenant", "contoso");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("No delegated permission grant");
  });
});
