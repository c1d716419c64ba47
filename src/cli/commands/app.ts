import type { Command } from "commander";
import type { CliContext } from "../context.ts";
import { registerEnterpriseAppCommands } from "./app-enterprise.ts";
import { registerRegistrationCommands } from "./app-registrations.ts";

/**
 * `assent app …` (app registrations) and `assent sp …` (enterprise apps). Each command runs one
 * service call in one transaction; a refused change leaves nothing written and prints the
 * service's one-line message.
 */
export function registerAppCommands(program: Command, ctx: CliContext): void {
  registerRegistrationCommands(program, ctx);
  registerEnterpriseAppCommands(program, ctx);
}
