import { Command, CommanderError } from "commander";
import { ConfigError } from "../config/index.ts";
import { EmbeddedDatabaseError } from "../platform/db/index.ts";
import { ApiError } from "../platform/http/errors.ts";
import { commands } from "./commands/index.ts";
import { CliContext, CliError, type CliIo } from "./context.ts";
import { processIo } from "./io.ts";

/**
 * Runs the `assent` command line and resolves to the exit code. Every failure a person can
 * cause ends as one clear line on stderr and a non-zero code, never a stack trace.
 *
 * @example
 * const code = await main(["node", "assent", "tenant", "list", "--json"], testIo);
 */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const json = argv.includes("--json");
  const ctx = new CliContext(io, json);
  const program = new Command("assent")
    .description("Assent: identity with consent governance, account connection and mail")
    .option("--json", "print machine-readable JSON")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s.trimEnd()),
      writeErr: (s) => io.stderr(s.trimEnd()),
    })
    .showHelpAfterError("(run with --help for usage)");
  for (const register of commands) register(program, ctx);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.stderr(`assent: ${describe(error)}`);
    if (error instanceof CliError) return error.exitCode;
    return 1;
  } finally {
    await ctx.close();
  }
}

function describe(error: unknown): string {
  if (
    error instanceof CliError ||
    error instanceof ConfigError ||
    error instanceof ApiError ||
    error instanceof EmbeddedDatabaseError
  )
    return error.message;
  if (error instanceof Error) return `unexpected error: ${error.message}`;
  return String(error);
}
