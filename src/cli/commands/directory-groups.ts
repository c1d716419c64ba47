import type { Command } from "commander";
import { CLI_ACTOR } from "../../identity/activity/audit-log.ts";
import type { CliContext } from "../context.ts";
import { formatTable, openDirectory, tenantOf } from "./directory-shared.ts";

const TENANT_OPTION = ["--tenant <ref>", "tenant id, slug or verified domain"] as const;

/** `assent group create|list|add-member|remove-member`. */
export function registerGroupCommands(program: Command, ctx: CliContext): void {
  const group = program.command("group").description("manage a tenant's groups");

  group
    .command("create <name>")
    .description("create a group (names are unique in a tenant)")
    .requiredOption(...TENANT_OPTION)
    .option("--description <text>", "what the group is for")
    .action(async (name: string, opts: { tenant: string; description?: string }) => {
      const directory = await openDirectory(ctx);
      const tenant = await tenantOf(directory, opts.tenant);
      const created = await directory.groups.create(
        tenant.id,
        { displayName: name, description: opts.description },
        CLI_ACTOR,
      );
      ctx.print(
        created,
        () => `Created group "${created.displayName}" in tenant ${tenant.slug}, id ${created.id}.`,
      );
    });

  group
    .command("list")
    .description("list a tenant's groups")
    .requiredOption(...TENANT_OPTION)
    .action(async (opts: { tenant: string }) => {
      const directory = await openDirectory(ctx);
      const tenant = await tenantOf(directory, opts.tenant);
      const groups = await directory.groups.list(tenant.id);
      ctx.print(groups, () =>
        groups.length === 0
          ? `No groups in tenant ${tenant.slug}.`
          : formatTable(
              ["NAME", "ID", "DESCRIPTION"],
              groups.map((g) => [g.displayName, g.id, g.description ?? ""]),
            ),
      );
    });

  for (const adding of [true, false]) {
    group
      .command(`${adding ? "add-member" : "remove-member"} <group> <upn>`)
      .description(
        adding
          ? "add a user to a group (group by name or id)"
          : "remove a user from a group (group by name or id)",
      )
      .requiredOption(...TENANT_OPTION)
      .action(async (groupRef: string, upn: string, opts: { tenant: string }) => {
        const directory = await openDirectory(ctx);
        const tenant = await tenantOf(directory, opts.tenant);
        const target = await directory.groups.require(tenant.id, groupRef);
        const member = await directory.users.require(tenant.id, upn);
        if (adding) await directory.groups.addMember(tenant.id, target.id, member.id, CLI_ACTOR);
        else await directory.groups.removeMember(tenant.id, target.id, member.id, CLI_ACTOR);
        ctx.print(
          {
            groupId: target.id,
            group: target.displayName,
            userId: member.id,
            userPrincipalName: member.userPrincipalName,
            member: adding,
          },
          () =>
            adding
              ? `Added ${member.userPrincipalName} to group "${target.displayName}".`
              : `Removed ${member.userPrincipalName} from group "${target.displayName}".`,
        );
      });
  }
}
