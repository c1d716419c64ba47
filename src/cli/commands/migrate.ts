import type { Command } from "commander";
import { openDatabase } from "../../platform/db/index.ts";
import { migrateAll } from "../../server/migrations.ts";
import type { CliContext } from "../context.ts";

export function registerMigrateCommand(program: Command, ctx: CliContext): void {
  program
    .command("migrate")
    .description("apply pending database migrations (safe to run on several nodes at once)")
    .action(async () => {
      const database = await openDatabase(ctx.config.database);
      try {
        const applied = await migrateAll(database.db);
        ctx.print({ applied }, () =>
          applied.length === 0 ? "Database is up to date." : `Applied: ${applied.join(", ")}`,
        );
      } finally {
        await database.close();
      }
    });
}
