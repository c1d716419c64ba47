import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  generateSecret,
  hashPassword,
  hashSecret,
  KeyRing,
  loadKeyRing,
  parseKey,
  passwordWeakness,
  verifyPassword,
  verifySecret,
} from "../../src/platform/crypto/index.ts";

describe("encryption at rest", () => {
  it("round-trips, binds the context, and decrypts with a previous key after rotation", () => {
    const oldKey = randomBytes(32);
    const ring = new KeyRing([oldKey]);
    const box = ring.encrypt("signing key", "tenant-a");
    expect(box).not.toContain("signing key");
    expect(ring.decrypt(box, "tenant-a")).toBe("signing key");
    expect(() => ring.decrypt(box, "tenant-b")).toThrow();
    const rotated = new KeyRing([randomBytes(32), oldKey]);
    expect(rotated.decrypt(box, "tenant-a")).toBe("signing key");
    expect(rotated.isStale(box)).toBe(true);
    expect(() => new KeyRing([randomBytes(32)]).decrypt(box, "tenant-a")).toThrow(
      /not in the key ring/,
    );
  });

  it("detects tampering", () => {
    const ring = new KeyRing([randomBytes(32)]);
    const parts = ring.encrypt("x").split(".");
    parts[3] = Buffer.from("y").toString("base64url");
    expect(() => ring.decrypt(parts.join("."))).toThrow();
  });

  it("parses keys as base64 or hex and explains a bad one", () => {
    const key = randomBytes(32);
    expect(parseKey(key.toString("base64")).equals(key)).toBe(true);
    expect(parseKey(key.toString("hex")).equals(key)).toBe(true);
    expect(() => parseKey("short")).toThrow(/32 random bytes/);
  });

  it("generates a development key once, private to the owner, and reuses it", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "assent-key-"));
    const a = loadKeyRing({ secretKey: undefined, previousSecretKeys: [], dataDir });
    const box = a.encrypt("v");
    const b = loadKeyRing({ secretKey: undefined, previousSecretKeys: [], dataDir });
    expect(b.decrypt(box)).toBe("v");
    expect(statSync(join(dataDir, "secret.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, "secret.key"), "utf8").length).toBeGreaterThan(40);
  });
});

describe("secrets and passwords", () => {
  it("hashes secrets and verifies them", () => {
    const secret = generateSecret("ast_");
    expect(secret.startsWith("ast_")).toBe(true);
    const hash = hashSecret(secret);
    expect(hash).not.toContain(secret);
    expect(verifySecret(secret, hash)).toBe(true);
    expect(verifySecret(`${secret}x`, hash)).toBe(false);
  });

  it("hashes passwords with argon2id at OWASP parameters", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, "correct horse battery staple")).toBe(true);
    expect(await verifyPassword(hash, "wrong")).toBe(false);
    expect(await verifyPassword("not-a-hash", "x")).toBe(false);
  });

  it("refuses weak passwords with a reason", () => {
    expect(passwordWeakness("short")).toMatch(/at least 12/);
    expect(passwordWeakness("aaaaaaaaaaaaaaa")).toMatch(/repeat/);
    expect(passwordWeakness("password12345678")).toMatch(/common/);
    expect(passwordWeakness("adele-is-great-2026", ["adele"])).toMatch(/user name/);
    expect(passwordWeakness("correct horse battery staple")).toBeUndefined();
  });
});
