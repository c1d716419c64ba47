import { rmSync } from "node:fs";
import type { Config } from "../config/index.ts";
import { lockDataDir } from "../platform/db/data-dir-lock.ts";

/**
 * `assent start --reset`: deletes the embedded database so this start seeds the demo world
 * from scratch. Refused while another Assent process uses it (the data directory's lock), and
 * with DATABASE_URL: a PostgreSQL database is never dropped by a flag. The development secret
 * key stays (it encrypts nothing that survives the reset).
 *
 * @returns the directory that was deleted.
 */
export function resetEmbeddedDatabase(config: Config): string {
  if (config.database.kind !== "pglite")
    throw new Error(
      "--reset deletes the embedded database only; with DATABASE_URL, drop and create the PostgreSQL database yourself, then start again",
    );
  const dir = config.database.dataDir;
  // Taking the lock proves no other process has the files open (it throws naming the pid).
  lockDataDir(dir);
  rmSync(dir, { recursive: true, force: true });
  return dir;
}
