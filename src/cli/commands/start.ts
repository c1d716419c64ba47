import type { Command } from "commander";
import { insecureDefaults } from "../../config/index.ts";
import { startServices } from "../../server/run.ts";
import type { CliContext } from "../context.ts";

export function registerStartCommand(program: Command, ctx: CliContext): void {
  program
    .command("start")
    .description(
      "run Assent (Identity, and the other services as they land) on the configured ports",
    )
    .action(async () => {
      const { config, logger } = ctx;
      const running = await startServices(config, logger);
      const warnings = insecureDefaults(config);
      ctx.io.stdout(
        [
          "",
          "Assent is running.",
          `  Identity  ${running.urls.identity}    (health: ${running.urls.identity}/readyz)`,
          `  Data      ${config.database.kind === "pglite" ? config.database.dataDir : "PostgreSQL (DATABASE_URL)"}`,
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
        ].join("\n"),
      );
      await new Promise<void>((resolve) => {
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
      ctx.io.stdout("Assent stopped.");
    });
}
