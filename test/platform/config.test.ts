import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, insecureDefaults, loadConfig } from "../../src/config/index.ts";

describe("configuration", () => {
  it("defaults to the embedded database under ./data and loopback URLs", () => {
    const config = loadConfig({});
    expect(config.database.kind).toBe("pglite");
    expect(config.identity.publicUrl).toBe("http://localhost:4000");
    expect(Object.isFrozen(config)).toBe(true);
    expect(insecureDefaults(config).join("\n")).toMatch(/embedded database/);
  });

  it("uses PostgreSQL when DATABASE_URL is set", () => {
    const config = loadConfig({ DATABASE_URL: "postgres://u@h:5432/db", DATABASE_POOL_MAX: "5" });
    expect(config.database).toEqual({
      kind: "postgres",
      url: "postgres://u@h:5432/db",
      poolMax: 5,
    });
  });

  it("names every invalid variable and what is wrong", () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: "mysql://x", ASSENT_IDENTITY_PORT: "70000", LOG_LEVEL: "loud" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/DATABASE_URL: must be a postgres/);
    expect(message).toMatch(/ASSENT_IDENTITY_PORT/);
    expect(message).toMatch(/LOG_LEVEL/);
  });

  it("refuses insecure defaults in production", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(
      /ASSENT_SECRET_KEY: required in production/,
    );
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(
      /DATABASE_URL: required in production/,
    );
  });

  it("reads a config file, with the environment winning", () => {
    const dir = mkdtempSync(join(tmpdir(), "assent-config-"));
    const file = join(dir, "assent.json");
    writeFileSync(file, JSON.stringify({ ASSENT_IDENTITY_PORT: 5000, ASSENT_MAIL_PORT: 5200 }));
    const config = loadConfig({ ASSENT_CONFIG_FILE: file, ASSENT_MAIL_PORT: "6200" });
    expect(config.identity.port).toBe(5000);
    expect(config.mail.port).toBe(6200);
  });

  it("explains an unreadable or malformed config file", () => {
    expect(() => loadConfig({ ASSENT_CONFIG_FILE: "/nonexistent/assent.json" })).toThrow(
      /ASSENT_CONFIG_FILE: cannot read/,
    );
    const dir = mkdtempSync(join(tmpdir(), "assent-config-"));
    writeFileSync(join(dir, "bad.json"), "{nope");
    expect(() => loadConfig({ ASSENT_CONFIG_FILE: join(dir, "bad.json") })).toThrow(
      /not valid JSON/,
    );
  });
});
