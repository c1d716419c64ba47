import type { Command } from "commander";
import { CLI_ACTOR } from "../../identity/activity/audit-log.ts";
import {
  assignAppRole,
  ensureServicePrincipal,
  listServicePrincipals,
  updateServicePrincipal,
} from "../../identity/apps/index.ts";
import { requireGroup, requireTenant, requireUser } from "../../identity/directory/index.ts";
import { type CliContext, CliError } from "../context.ts";
import { db, parseBoolean, resourceOf, TENANT_OPTION } from "./app-shared.ts";
import { formatTable } from "./directory-shared.ts";

/** `assent sp …`: a tenant's enterprise apps (service principals) and their assignments. */
export function registerEnterpriseAppCommands(program: Command, ctx: CliContext): void {
  const sp = program
    .command("sp")
    .description("manage a tenant's enterprise apps (service principals)");

  sp.command("list")
    .description("list a tenant's enterprise apps")
    .requiredOption(...TENANT_OPTION)
    .action(async (opts: { tenant: string }) => {
      const database = await db(ctx);
      const tenant = await requireTenant(database, opts.tenant);
      const sps = await listServicePrincipals(database, tenant.id);
      ctx.print(sps, () =>
        sps.length === 0
          ? `No enterprise apps in tenant ${tenant.slug}.`
          : formatTable(
              ["NAME", "APP ID", "ENABLED", "ASSIGNMENT REQUIRED", "VISIBLE"],
              sps.map((s) => [
                s.displayName,
                s.appId,
                s.accountEnabled ? "yes" : "no",
                s.appRoleAssignmentRequired ? "yes" : "no",
                s.visibleToUsers ? "yes" : "no",
              ]),
            ),
      );
    });

  sp.command("set <appId>")
    .description('change an enterprise app\'s properties (<appId> may be "mail")')
    .requiredOption(...TENANT_OPTION)
    .option("--enabled <true|false>", "enabled for users to sign in", parseBoolean)
    .option("--assignment-required <true|false>", "users must be assigned", parseBoolean)
    .option("--visible <true|false>", "visible to users in My Apps", parseBoolean)
    .option("--notes <text>", "free-text notes (at most 1,024 characters)")
    .action(
      async (
        appId: string,
        opts: {
          tenant: string;
          enabled?: boolean;
          assignmentRequired?: boolean;
          visible?: boolean;
          notes?: string;
        },
      ) => {
        if (
          [opts.enabled, opts.assignmentRequired, opts.visible, opts.notes].every(
            (v) => v === undefined,
          )
        )
          throw new CliError(
            "Nothing to change: give --enabled, --assignment-required, --visible or --notes.",
          );
        const database = await db(ctx);
        const tenant = await requireTenant(database, opts.tenant);
        const resource = await resourceOf(database, appId, tenant.id);
        const updated = await updateServicePrincipal(
          database,
          tenant.id,
          resource.id,
          {
            accountEnabled: opts.enabled,
            appRoleAssignmentRequired: opts.assignmentRequired,
            visibleToUsers: opts.visible,
            notes: opts.notes,
          },
          CLI_ACTOR,
        );
        ctx.print(updated, () =>
          [
            `${resource.displayName} in tenant ${tenant.slug}:`,
            `  enabled ${updated.accountEnabled ? "yes" : "no"}, assignment required ${updated.appRoleAssignmentRequired ? "yes" : "no"}, visible ${updated.visibleToUsers ? "yes" : "no"}`,
            ...(updated.notes ? [`  notes: ${updated.notes}`] : []),
          ].join("\n"),
        );
      },
    );

  sp.command("assign-role <appId>")
    .description("grant a client app an application permission (app role) of the resource <appId>")
    .requiredOption(...TENANT_OPTION)
    .requiredOption("--client <clientAppId>", "the client application's id")
    .requiredOption("--role <value>", 'the app role, e.g. "Mail.Read.All"')
    .action(async (appId: string, opts: { tenant: string; client: string; role: string }) => {
      const database = await db(ctx);
      const tenant = await requireTenant(database, opts.tenant);
      const resource = await resourceOf(database, appId, tenant.id);
      const client = await resourceOf(database, opts.client, tenant.id);
      const clientSp = await ensureServicePrincipal(database, tenant.id, client.id, {
        actor: CLI_ACTOR,
      });
      const assignment = await assignAppRole(
        database,
        tenant.id,
        {
          resourceApplicationId: resource.id,
          principalType: "ServicePrincipal",
          principalId: clientSp.id,
          roleValue: opts.role,
        },
        CLI_ACTOR,
      );
      ctx.print(
        assignment,
        () =>
          `Granted ${client.displayName} the application permission ${opts.role} on ${resource.displayName} in tenant ${tenant.slug}.`,
      );
    });

  sp.command("assign <appId>")
    .description("assign a user or group to an enterprise app (default access unless --role)")
    .requiredOption(...TENANT_OPTION)
    .option("--user <ref>", "user id or user principal name")
    .option("--group <ref>", "group id or name")
    .option("--role <value>", "an app role that allows users")
    .action(
      async (
        appId: string,
        opts: { tenant: string; user?: string; group?: string; role?: string },
      ) => {
        if ((opts.user === undefined) === (opts.group === undefined))
          throw new CliError("Give exactly one of --user or --group.");
        const database = await db(ctx);
        const tenant = await requireTenant(database, opts.tenant);
        const resource = await resourceOf(database, appId, tenant.id);
        const principal = opts.user
          ? { type: "User" as const, ...(await requireUser(database, tenant.id, opts.user)) }
          : {
              type: "Group" as const,
              ...(await requireGroup(database, tenant.id, opts.group ?? "")),
            };
        const assignment = await assignAppRole(
          database,
          tenant.id,
          {
            resourceApplicationId: resource.id,
            principalType: principal.type,
            principalId: principal.id,
            roleValue: opts.role,
          },
          CLI_ACTOR,
        );
        ctx.print(
          assignment,
          () =>
            `Assigned ${opts.user ?? opts.group} to ${resource.displayName}${opts.role ? ` as ${opts.role}` : ""} in tenant ${tenant.slug}.`,
        );
      },
    );
}
