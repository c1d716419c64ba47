import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { type Config, loadConfig } from "../../../src/config/index.ts";
import { type RunningServices, startServices } from "../../../src/server/run.ts";
import { createScratchPostgres, postgresReachable } from "../../support/databases.ts";
import { freePort } from "../../support/processes.ts";

/**
 * Whether the heavy whole-stack tests also run on PostgreSQL: in CI (required there), and
 * wherever a PostgreSQL is named (DATABASE_URL, TEST_DATABASE_URL, ASSENT_REQUIRE_POSTGRES).
 * Elsewhere they run on the embedded database only, which is what `npm start` uses.
 */
export const STACK_DATABASES: Array<"pglite" | "postgres"> = [
  "pglite",
  ...(process.env.CI ||
  process.env.ASSENT_REQUIRE_POSTGRES ||
  process.env.DATABASE_URL ||
  process.env.TEST_DATABASE_URL
    ? (["postgres"] as const)
    : []),
];

/** Everything `assent start` runs, in this process, with the URLs the person uses. */
export interface DemoStack {
  config: Config;
  running: RunningServices;
  urls: {
    identity: string;
    connect: string;
    mailbox: string;
    crm: string;
  };
  close(): Promise<void>;
}

/**
 * Starts the whole demo stack as `assent start` does (startServices with the demo seed):
 * Identity, Mail with its SMTP intake and mailbox page, Connect and the demo app, on free
 * loopback ports, on a fresh embedded database (a temporary data directory) or a scratch
 * PostgreSQL database. Undefined when PostgreSQL was asked for but is unreachable outside CI.
 */
export async function startDemoStack(kind: "pglite" | "postgres"): Promise<DemoStack | undefined> {
  if (kind === "postgres" && !(await postgresReachable())) {
    if (process.env.CI || process.env.ASSENT_REQUIRE_POSTGRES)
      throw new Error("PostgreSQL is required here (CI) but unreachable");
    console.warn("PostgreSQL unreachable: skipping the demo stack on PostgreSQL");
    return undefined;
  }
  const dataDir = mkdtempSync(join(tmpdir(), "assent-demo-"));
  const scratch = kind === "postgres" ? await createScratchPostgres() : undefined;
  const ports = {
    identity: await freePort(),
    connect: await freePort(),
    mail: await freePort(),
    smtp: await freePort(),
    demo: await freePort(),
  };
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    ASSENT_DATA_DIR: dataDir,
    ASSENT_IDENTITY_PORT: String(ports.identity),
    ASSENT_CONNECT_PORT: String(ports.connect),
    ASSENT_MAIL_PORT: String(ports.mail),
    ASSENT_MAIL_SMTP_PORT: String(ports.smtp),
    ASSENT_DEMO_PORT: String(ports.demo),
    ASSENT_MAIL_MAILBOX_PAGE: "true",
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
  });
  const running = await startServices(config, pino({ level: "silent" }), { demo: true });
  const { identity, connect, mailbox, demo } = running.urls;
  if (!identity || !connect || !mailbox || !demo)
    throw new Error(`the demo stack is incomplete: ${JSON.stringify(running.urls)}`);
  return {
    config,
    running,
    urls: { identity, connect, mailbox, crm: demo },
    async close() {
      await running.stop();
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
