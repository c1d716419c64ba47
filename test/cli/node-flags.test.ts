import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort, spawnAssent } from "../support/processes.ts";

async function env(dataDir: string) {
  return {
    ASSENT_DATA_DIR: dataDir,
    ASSENT_IDENTITY_PORT: String(await freePort()),
    ASSENT_CONNECT_PORT: String(await freePort()),
    ASSENT_MAIL_PORT: String(await freePort()),
    ASSENT_MAIL_SMTP_PORT: String(await freePort()),
    ASSENT_DEMO_PORT: String(await freePort()),
    LOG_LEVEL: "info",
  };
}

/** The node flags of a running process, as Linux shows its command line. */
function commandLine(pid: number | undefined): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
}

describe("assent start's Node flags", () => {
  it("caps V8's young generation, unless the operator chose a size in NODE_OPTIONS", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "assent-flags-"));
    const capped = spawnAssent(["start", "--no-demo"], await env(dataDir));
    await capped.waitFor(/Assent is running/, 90_000);
    // Re-executed in place: the same process, now with the flag.
    expect(commandLine(capped.child.pid)).toContain("--max-semi-space-size=16");
    capped.child.kill("SIGTERM");
    expect(await capped.exited).toBe(0);

    const chosen = spawnAssent(["start", "--no-demo"], {
      ...(await env(dataDir)),
      NODE_OPTIONS: "--max-semi-space-size=32",
    });
    await chosen.waitFor(/Assent is running/, 90_000);
    expect(commandLine(chosen.child.pid)).not.toContain("--max-semi-space-size=16");
    chosen.child.kill("SIGTERM");
    expect(await chosen.exited).toBe(0);
  }, 240_000);
});
