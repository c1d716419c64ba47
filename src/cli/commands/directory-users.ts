import type { Command } from "commander";
import { CLI_ACTOR } from "../../identity/activity/audit-log.ts";
import { normaliseUserPrincipalName } from "../../identity/directory/index.ts";
import type { CliContext } from "../context.ts";
import { formatTable, openDirectory, readPassword, tenantOf } from "./directory-shared.ts";

const TENANT_OPTION = ["--tenant <ref>", "tenant id, slug or verified domain"] as const;

/** `assent user create|list|disable|enable|set-password`. */
export function registerUserCommands(program: Command, ctx: CliContext): void {
  const user = program.command("user").description("manage a tenant's users");

  user
    .command("create <upn>")
    .description("create a user; the password is read from a prompt or one line of stdin")
    .requiredOption(...TENANT_OPTION)
    .requiredOption("--name <display name>", "the user's display name")
    .option("--no-password", "create the user without a password (set one later)")
    .action(async (upn: string, opts: { tenant: string; name: string; password: boolean }) => {
      const directory = await openDirectory(ctx);
      const tenant = await tenantOf(directory, opts.tenant);
      // A malformed name fails before the prompt, not after the person has typed a password.
      normaliseUserPrincipalName(upn);
      const password = opts.password ? await readPassword(ctx) : undefined;
      const created = await directory.users.create(
        tenant.id,
        { userPrincipalName: upn, displayName: opts.name, password },
        CLI_ACTOR,
      );
      ctx.print(created, () =>
        [
          `Created user ${created.userPrincipalName} (${created.displayName}) in tenant ${tenant.slug}, id ${created.id}.`,
          ...(created.hasPassword
            ? []
            : [
                `It has no password: set one with "assent user set-password ${created.userPrincipalName} --tenant ${tenant.slug}".`,
              ]),
        ].join("\n"),
      );
    });

  user
    .command("list")
    .description("list a tenant's users")
    .requiredOption(...TENANT_OPTION)
    .action(async (opts: { tenant: string }) => {
      const directory = await openDirectory(ctx);
      const tenant = await tenantOf(directory, opts.tenant);
      const users = await directory.users.list(tenant.id);
      ctx.print(users, () =>
        users.length === 0
          ? `No users in tenant ${tenant.slug}.`
          : formatTable(
              ["USER PRINCIPAL NAME", "DISPLAY NAME", "STATE", "ID"],
              users.map((u) => [
                u.userPrincipalName,
                u.displayName,
                u.enabled ? "enabled" : "disabled",
                u.id,
              ]),
            ),
      );
    });

  for (const enabled of [false, true]) {
    const verb = enabled ? "enable" : "disable";
    user
      .command(`${verb} <upn>`)
      .description(enabled ? "allow a user to sign in again" : "block a user from signing in")
      .requiredOption(...TENANT_OPTION)
      .action(async (upn: string, opts: { tenant: string }) => {
        const directory = await openDirectory(ctx);
        const tenant = await tenantOf(directory, opts.tenant);
        const before = await directory.users.require(tenant.id, upn);
        const after = enabled
          ? await directory.users.enable(tenant.id, before.id, CLI_ACTOR)
          : await directory.users.disable(tenant.id, before.id, CLI_ACTOR);
        ctx.print(after, () =>
          before.enabled === enabled
            ? `${after.userPrincipalName} was already ${verb}d.`
            : `${enabled ? "Enabled" : "Disabled"} ${after.userPrincipalName}.`,
        );
      });
  }

  user
    .command("set-password <upn>")
    .description("set a user's password, read from a prompt or one line of stdin")
    .requiredOption(...TENANT_OPTION)
    .action(async (upn: string, opts: { tenant: string }) => {
      const directory = await openDirectory(ctx);
      const tenant = await tenantOf(directory, opts.tenant);
      const target = await directory.users.require(tenant.id, upn);
      const password = await readPassword(ctx, "New password: ");
      const updated = await directory.users.setPassword(tenant.id, target.id, password, CLI_ACTOR);
      ctx.print(updated, () => `Password set for ${updated.userPrincipalName}.`);
    });
}
