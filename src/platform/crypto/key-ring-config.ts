import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KeyRing, parseKey } from "./encryption.ts";

/**
 * The key ring from configuration. Without ASSENT_SECRET_KEY (refused in production) a
 * development key is generated once into `<dataDir>/secret.key` (mode 0600) and reused, so
 * data encrypted on one start decrypts on the next.
 */
export function loadKeyRing(options: {
  secretKey: string | undefined;
  previousSecretKeys: readonly string[];
  dataDir: string;
}): KeyRing {
  const previous = options.previousSecretKeys.map((k) => parseKey(k, "ASSENT_SECRET_KEY_PREVIOUS"));
  if (options.secretKey) return new KeyRing([parseKey(options.secretKey), ...previous]);
  const file = join(options.dataDir, "secret.key");
  if (!existsSync(file)) {
    mkdirSync(options.dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return new KeyRing([parseKey(readFileSync(file, "utf8"), file), ...previous]);
}
