import type { Command } from "commander";
import { insecureDefaults } from "../../config/index.ts";
import { demoBannerLines } from "../../demo/banner.ts";
import { resetEmbeddedDatabase } from "../../demo/reset.ts";
import {
  type RunningServices,
  SERVICES,
  type ServiceName,
  startServices,
} from "../../server/run.ts";
import { type CliContext, CliError } from "../context.ts";

export function registerStartCommand(program: Command, ctx: CliContext): void {
  program
    .command("start")
    .description(
      "run every service (Identity, Connect, Mail) and the demo app on their ports, with demo data on the embedded database",
    )
    .option(
      "--demo",
      "seed the demo tenants, users and app on an empty database (default with the embedded database)",
    )
    .option("--no-demo", "do not seed demo data nor run the demo app")
    .option("--reset", "delete the embedded database first: start from scratch")
    .action(async (options: { demo?: boolean; reset?: boolean }) => {
      const demo = options.demo ?? ctx.config.database.kind === "pglite";
      if (options.reset) {
        try {
          const deleted = resetEmbeddedDatabase(ctx.config);
          ctx.io.stdout(`Deleted the embedded database at ${deleted}: starting from scratch.`);
        } catch (error) {
          throw new CliError((error as Error).message);
        }
      }
      await run(ctx, { demo, services: SERVICES });
    });

  program
    .command("serve")
    .description(`run one service: ${SERVICES.join(", ")}`)
    .argument("<service>", SERVICES.join(" | "))
    .action(async (service: string) => {
      if (!(SERVICES as readonly string[]).includes(service))
        throw new CliError(`unknown service "${service}": choose one of ${SERVICES.join(", ")}`);
      await run(ctx, { demo: false, services: [service as ServiceName] });
    });
}

async function run(ctx: CliContext, options: { demo: boolean; services: readonly ServiceName[] }) {
  const { config, logger } = ctx;
  const running = await startServices(config, logger, options);
  const warnings = insecureDefaults(config, { localSmtp: options.services.includes("mail") });
  // Listen for Ctrl-C before the banner says we run: a signal sent as soon as the banner is
  // read must stop us cleanly, never find the default handler.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "shutting down: finishing in-flight requests");
      const timer = setTimeout(() => {
        logger.error("shutdown timed out; exiting");
        process.exit(1);
      }, config.shutdownTimeoutMs);
      timer.unref();
      running.stop().then(resolve, (error) => {
        logger.error({ err: error }, "shutdown failed");
        resolve();
      });
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  ctx.io.stdout(banner(running, warnings, config.database));
  await stopped;
  ctx.io.stdout("Assent stopped.");
}

function banner(
  running: RunningServices,
  warnings: string[],
  database: { kind: "pglite"; dataDir: string } | { kind: "postgres" },
): string {
  const { urls } = running;
  return [
    "",
    "Assent is running.",
    ...(urls.identity ? [`  Identity  ${urls.identity}    (health: ${urls.identity}/readyz)`] : []),
    ...(urls.connect ? [`  Connect   ${urls.connect}/v3    (health: ${urls.connect}/readyz)`] : []),
    ...(urls.mail ? [`  Mail API  ${urls.mail}/v1.0/me    SMTP intake ${urls.smtp}`] : []),
    ...(urls.mailbox ? [`  Mailboxes ${urls.mailbox}    (read the demo users' mail)`] : []),
    ...(urls.demo
      ? [`  Demo app  ${urls.demo}    (Northwind CRM: a CRM that wants to read your mail)`]
      : []),
    `  Data      ${database.kind === "pglite" ? database.dataDir : "PostgreSQL (DATABASE_URL)"}`,
    ...demoBannerLines(running.demo, urls),
    ...(warnings.length > 0
      ? [
          "",
          "Development defaults in use (not for production):",
          ...warnings.map((w) => `  - ${w}`),
        ]
      : []),
    "",
    "Press Ctrl-C to stop.",
    "",
  ].join("\n");
}
