import type { Command } from "commander";
import type { CliContext } from "../context.ts";
import { registerAppCommands } from "./app.ts";
import { registerConnectCommands } from "./connect.ts";
import { registerConsentCommands } from "./consent.ts";
import { registerDirectoryCommands } from "./directory.ts";
import { registerKeysCommands } from "./keys.ts";
import { registerLogsCommands } from "./logs.ts";
import { registerMigrateCommand } from "./migrate.ts";
import { registerStartCommand } from "./start.ts";

export type RegisterCommands = (program: Command, ctx: CliContext) => void;

/** Every command group of `assent`, in the order `--help` lists them. */
export const commands: RegisterCommands[] = [
  registerStartCommand,
  registerMigrateCommand,
  registerDirectoryCommands,
  registerAppCommands,
  registerConsentCommands,
  registerConnectCommands,
  registerKeysCommands,
  registerLogsCommands,
];
