import {
  accessSync,
  closeSync,
  constants,
  type Dirent,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";

/** The embedded database's files cannot be used; the message says which and what to do. */
export class EmbeddedDatabaseError extends Error {
  override name = "EmbeddedDatabaseError";
}

const NOT_WRITABLE = new Set(["EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT"]);

/**
 * When `error` is the file system refusing a write (permissions, a read-only mount, a full
 * disk), the error to show instead: it names the directory and what to do. Else undefined.
 */
export function notWritableError(
  dataDir: string,
  error: unknown,
): EmbeddedDatabaseError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const text = String((error as Error | undefined)?.message ?? "");
  const found =
    (code && NOT_WRITABLE.has(code) ? code : undefined) ??
    /\b(EACCES|EPERM|EROFS|ENOSPC|EDQUOT)\b/.exec(text)?.[1] ??
    (/read-only file system/i.test(text) ? "EROFS" : undefined) ??
    (/no space left on device/i.test(text) ? "ENOSPC" : undefined);
  if (!found) return undefined;
  const fix =
    found === "ENOSPC" || found === "EDQUOT"
      ? "free disk space on its file system"
      : found === "EROFS"
        ? "mount its file system read-write"
        : `give the user running Assent (${safeUser()}) write access to it and its files (chown/chmod)`;
  return new EmbeddedDatabaseError(
    `the embedded database at ${dataDir} cannot be written (${found}): ${fix}, then start again. Its data was not changed.`,
  );
}

/**
 * Why the embedded database at `dataDir` failed to open, in words, when the cause is its files:
 * a refused write, or (PGlite aborts without saying why) a file or directory in it that cannot
 * be written. Else undefined: the original error stands.
 */
export function unusableDataDirError(
  dataDir: string,
  error: unknown,
): EmbeddedDatabaseError | undefined {
  const direct = notWritableError(dataDir, error);
  if (direct) return direct;
  const blocked = firstNotWritable(dataDir);
  if (blocked)
    return new EmbeddedDatabaseError(
      `the embedded database at ${dataDir} cannot be written (${blocked} is not writable): give the user running Assent (${safeUser()}) write access to the directory and its files (chown/chmod), then start again. Its data was not changed.`,
    );
  if (/Aborted\(\)/.test(String((error as Error | undefined)?.message)))
    return new EmbeddedDatabaseError(
      `the embedded database at ${dataDir} could not be opened (the database engine stopped): check that the disk has free space and that the directory and its files are writable, then start again.`,
    );
  return undefined;
}

// A bounded walk: the data directory holds a few thousand files.
function firstNotWritable(dir: string, budget = { left: 50_000 }): string | undefined {
  try {
    accessSync(dir, constants.W_OK);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? undefined : dir;
  }
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (--budget.left < 0) return undefined;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = firstNotWritable(path, budget);
      if (found) return found;
    } else if (entry.isFile()) {
      try {
        accessSync(path, constants.W_OK);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") return path;
      }
    }
  }
  return undefined;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? "?"}`;
  }
}

/**
 * The embedded database is one process's files: a second process opening them would corrupt
 * them. A lock file holding the owner's pid guards the directory; a lock left by a process
 * that no longer runs is taken over.
 *
 * @returns a function that releases the lock.
 */
export function lockDataDir(dataDir: string): () => void {
  try {
    return takeLock(dataDir);
  } catch (error) {
    throw notWritableError(dataDir, error) ?? error;
  }
}

function takeLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, "assent.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(file, "utf8").trim());
      if (owner && owner !== process.pid && isRunning(owner)) {
        throw new EmbeddedDatabaseError(
          `the embedded database at ${dataDir} is in use by another Assent process (pid ${owner}); stop it first, or use DATABASE_URL`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new EmbeddedDatabaseError(`cannot lock the embedded database at ${dataDir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
