import type { Command } from "commander";
import { connectMigrations } from "../../../migrations/connect/index.ts";
import { ConnectError, connectDb, createConnectApplication } from "../../connect/index.ts";
import { migrate } from "../../platform/db/index.ts";
import { type CliContext, CliError } from "../context.ts";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `assent connect app create`: registers an Assent Connect application and prints its API key once. */
export function registerConnectCommands(program: Command, ctx: CliContext): void {
  const connect = program
    .command("connect")
    .description("Assent Connect: applications and API keys");
  const app = connect.command("app").description("Connect applications (the developers' apps)");

  app
    .command("create")
    .description("register an application; prints its client id and API key (shown once)")
    .requiredOption("--name <name>", "the application's name, shown to users")
    .option(
      "--redirect-uri <uri>",
      "a callback URI the application may be sent back to (exact match; repeatable)",
      collect,
      [],
    )
    .action(async (opts: { name: string; redirectUri: string[] }) => {
      const database = await ctx.database();
      const db = connectDb(database);
      await migrate(db, connectMigrations);
      const created = await createConnectApplication(db, {
        name: opts.name,
        callbackUris: opts.redirectUri,
      }).catch((error: unknown) => {
        // Connect's validation errors are for people: one line, no "unexpected error".
        throw error instanceof ConnectError ? new CliError(error.message) : error;
      });
      ctx.print(
        {
          client_id: created.id,
          name: created.name,
          callback_uris: created.callbackUris,
          api_key: created.apiKey,
        },
        () =>
          [
            `Created Connect application "${created.name}".`,
            `  Client id:      ${created.id}`,
            `  Callback URIs:  ${created.callbackUris.join(", ") || "(none: add one with POST /v3/applications/redirect-uris)"}`,
            `  API key:        ${created.apiKey}`,
            "",
            "The API key is shown only now: store it in your secret manager.",
          ].join("\n"),
      );
    });
}
