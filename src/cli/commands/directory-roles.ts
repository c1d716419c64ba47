import type { Command } from "commander";
import { CLI_ACTOR } from "../../identity/activity/audit-log.ts";
import {
  DIRECTORY_ROLES,
  type DirectoryRole,
  directoryRoleName,
  parseDirectoryRole,
} from "../../identity/directory/index.ts";
import { type CliContext, CliError } from "../context.ts";
import { formatTable, openDirectory, tenantOf } from "./directory-shared.ts";

const TENANT_OPTION = ["--tenant <ref>", "tenant id, slug or verified domain"] as const;

function roleOf(input: string): DirectoryRole {
  const role = parseDirectoryRole(input);
  if (!role)
    throw new CliError(
      `unknown role "${input}": use one of ${DIRECTORY_ROLES.map((r) => `${r.key} ("${r.displayName}")`).join(", ")}.`,
    );
  return role;
}

/** `assent role assign|unassign|list`. */
export function registerRoleCommands(program: Command, ctx: CliContext): void {
  const role = program.command("role").description("manage directory role assignments");

  for (const assigning of [true, false]) {
    role
      .command(`${assigning ? "assign" : "unassign"} <role> <upn>`)
      .description(
        `${assigning ? "give a user" : "take from a user"} a directory role (key such as global_administrator, or display name)`,
      )
      .requiredOption(...TENANT_OPTION)
      .action(async (roleInput: string, upn: string, opts: { tenant: string }) => {
        const key = roleOf(roleInput);
        const directory = await openDirectory(ctx);
        const tenant = await tenantOf(directory, opts.tenant);
        const user = await directory.users.require(tenant.id, upn);
        if (assigning) await directory.roles.assign(tenant.id, user.id, key, CLI_ACTOR);
        else await directory.roles.unassign(tenant.id, user.id, key, CLI_ACTOR);
        ctx.print(
          {
            role: key,
            roleName: directoryRoleName(key),
            userId: user.id,
            userPrincipalName: user.userPrincipalName,
            assigned: assigning,
          },
          () =>
            assigning
              ? `Assigned ${directoryRoleName(key)} to ${user.userPrincipalName}.`
              : `Removed ${directoryRoleName(key)} from ${user.userPrincipalName}.`,
        );
      });
  }

  role
    .command("list")
    .description("list a tenant's directory role assignments")
    .requiredOption(...TENANT_OPTION)
    .action(async (opts: { tenant: string }) => {
      const directory = await openDirectory(ctx);
      const tenant = await tenantOf(directory, opts.tenant);
      const assignments = await directory.roles.list(tenant.id);
      ctx.print(assignments, () =>
        assignments.length === 0
          ? `No directory role assignments in tenant ${tenant.slug}.`
          : formatTable(
              ["ROLE", "USER PRINCIPAL NAME", "USER ID"],
              assignments.map((a) => [directoryRoleName(a.role), a.userPrincipalName, a.userId]),
            ),
      );
    });
}
