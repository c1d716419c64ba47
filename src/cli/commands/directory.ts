import type { Command } from "commander";
import type { CliContext } from "../context.ts";
import { registerGroupCommands } from "./directory-groups.ts";
import { registerRoleCommands } from "./directory-roles.ts";
import { registerTenantCommands } from "./directory-tenants.ts";
import { registerUserCommands } from "./directory-users.ts";

/**
 * The directory commands: `tenant`, `domain`, `user`, `group`, `role`. Each runs one directory
 * operation in one transaction, so a refused command leaves nothing half-written; the service's
 * ApiError message is the one line `main` prints.
 */
export function registerDirectoryCommands(program: Command, ctx: CliContext): void {
  registerTenantCommands(program, ctx);
  registerUserCommands(program, ctx);
  registerGroupCommands(program, ctx);
  registerRoleCommands(program, ctx);
}
