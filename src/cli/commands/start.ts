import type { Command } from "commander";
import { insecureDefaults } from "../../config/index.ts";
import { DEMO_PASSWORD, type DemoSeed } from "../../demo/seed.ts";
import { startServices } from "../../server/run.ts";
import type { CliContext } from "../context.ts";

export function registerStartCommand(program: Command, ctx: CliContext): void {
  program
    .command("start")
    .description(
      "run Assent (Identity, and the other services as they land) on the configured ports",
    )
    .option(
      "--demo",
      "seed the demo tenants, users and app on an empty database (default with the embedded database)",
    )
    .option("--no-demo", "do not seed demo data")
    .action(async (options: { demo?: boolean }) => {
      const { config, logger } = ctx;
      const demo = options.demo ?? config.database.kind === "pglite";
      const running = await startServices(config, logger, { demo });
      const warnings = insecureDefaults(config);
      ctx.io.stdout(
        [
          "",
          "Assent is running.",
          `  Identity  ${running.urls.identity}    (health: ${running.urls.identity}/readyz)`,
          `  Mail API  ${running.urls.mail}/v1.0/me    SMTP intake ${running.urls.smtp}`,
          ...(running.urls.mailbox
            ? [`  Mailboxes ${running.urls.mailbox}    (read the demo users' mail)`]
            : []),
          `  Data      ${config.database.kind === "pglite" ? config.database.dataDir : "PostgreSQL (DATABASE_URL)"}`,
          ...demoLines(running.demo, running.urls.identity),
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

function demoLines(demo: DemoSeed | undefined, identityUrl: string): string[] {
  if (!demo) return [];
  const contoso = demo.tenants.find((t) => t.slug === "contoso");
  return [
    "",
    demo.created ? "Demo data created:" : "Demo data:",
    ...demo.tenants.map(
      (t) => `  Tenant ${t.displayName} (${t.slug})  issuer ${identityUrl}/${t.id}/v2.0`,
    ),
    ...demo.users.map((u) => `  ${u.upn.padEnd(24)} ${u.role}`),
    `  Password for every demo user: ${DEMO_PASSWORD}`,
    ...(contoso
      ? [`  Discovery: ${identityUrl}/contoso/v2.0/.well-known/openid-configuration`]
      : []),
    `  Demo app "Northwind CRM" client id: ${demo.demoAppId}`,
  ];
}
