import { type Command, InvalidArgumentError } from "commander";
import type { Kysely } from "kysely";
import { CLI_ACTOR } from "../../identity/activity/audit-log.ts";
import {
  type Application,
  findResourceApplication,
  MAIL_RESOURCE,
  resolveScopes,
} from "../../identity/apps/index.ts";
import {
  classifyPermission,
  type DelegatedPermissionGrant,
  getConsentSettings,
  grantDelegatedPermissions,
  isClassification,
  isUserConsentSetting,
  listDelegatedPermissionGrants,
  type PermissionClassification,
  revokeDelegatedPermissionGrant,
  USER_CONSENT_SETTINGS,
  type UserConsentSetting,
  updateConsentSettings,
} from "../../identity/consent/index.ts";
import type { IdentityDB } from "../../identity/db.ts";
import { requireGroup, requireTenant, requireUser } from "../../identity/directory/index.ts";
import { type CliContext, CliError } from "../context.ts";
import { applicationOf, db, resourceOf, TENANT_OPTION } from "./app-shared.ts";
import { formatTable } from "./directory-shared.ts";

/**
 * `assent consent …`: a tenant's consent settings, delegated permission grants (admin consent
 * from the command line) and permission classifications. Each command is one service call in
 * one transaction with its audit events.
 */

function parseUserConsent(value: string): UserConsentSetting {
  if (!isUserConsentSetting(value))
    throw new InvalidArgumentError(`use ${USER_CONSENT_SETTINGS.join(", ")}.`);
  return value;
}

function parseOnOff(value: string): boolean {
  if (/^(on|true|yes)$/i.test(value)) return true;
  if (/^(off|false|no)$/i.test(value)) return false;
  throw new InvalidArgumentError("use on or off.");
}

/** `--expires 2027-01-31` (a date or time) or `--expires 30d` (days from now). */
export function parseExpiry(value: string, now = new Date()): Date {
  const days = /^(\d{1,4})d$/.exec(value.trim());
  const date = days
    ? new Date(now.getTime() + Number(days[1]) * 86_400_000)
    : new Date(value.trim());
  if (Number.isNaN(date.getTime()))
    throw new InvalidArgumentError('use a date (2027-01-31) or a number of days ("30d").');
  return date;
}

function describeSettings(
  slug: string,
  s: { userConsent: string; adminConsentWorkflowEnabled: boolean },
) {
  return [
    `Consent settings of tenant ${slug}:`,
    `  user consent            ${s.userConsent}`,
    `  admin consent workflow  ${s.adminConsentWorkflowEnabled ? "on" : "off"}`,
  ].join("\n");
}

function principalOf(g: DelegatedPermissionGrant): string {
  if (g.consentType === "AllPrincipals") return "everyone";
  if (g.consentType === "Principal") return `user ${g.principalId}`;
  return `groups ${g.groupIds.join(",")}`;
}

/** The grants a `--scope` list stands for: OIDC scopes are Assent Mail's. */
async function grantParts(
  database: Kysely<IdentityDB>,
  tenantId: string,
  client: Application,
  scopes: string[],
): Promise<Array<{ resource: Application; scopes: string[] }>> {
  const resolution = await resolveScopes(database, {
    clientApplicationId: client.id,
    requested: scopes.flatMap((s) => s.split(" ")),
    tenantId,
  });
  if (!resolution.ok) throw new CliError(resolution.message);
  const mail = await findResourceApplication(database, MAIL_RESOURCE.appId);
  const resource = await findResourceApplication(database, resolution.resource.appId, { tenantId });
  if (!mail || !resource) throw new CliError("The resource of the scopes was not found.");
  const parts: Array<{ resource: Application; scopes: string[] }> = [];
  if (resource.id === mail.id)
    parts.push({
      resource: mail,
      scopes: [...resolution.oidcScopes, ...resolution.resourceScopes],
    });
  else {
    if (resolution.oidcScopes.length > 0)
      parts.push({ resource: mail, scopes: resolution.oidcScopes });
    parts.push({ resource, scopes: resolution.resourceScopes });
  }
  const nonEmpty = parts.filter((p) => p.scopes.length > 0);
  if (nonEmpty.length === 0) throw new CliError("No permission to grant: give --scope values.");
  return nonEmpty;
}

export function registerConsentCommands(program: Command, ctx: CliContext): void {
  const consent = program
    .command("consent")
    .description(
      "manage consent: user consent settings, delegated permission grants, classifications",
    );

  consent
    .command("settings")
    .description("show or change a tenant's user consent setting and admin consent workflow switch")
    .requiredOption(...TENANT_OPTION)
    .option(
      "--user-consent <setting>",
      `who may consent: ${USER_CONSENT_SETTINGS.join(" | ")}`,
      parseUserConsent,
    )
    .option("--workflow <on|off>", "users can request admin consent to apps", parseOnOff)
    .action(
      async (opts: { tenant: string; userConsent?: UserConsentSetting; workflow?: boolean }) => {
        const database = await db(ctx);
        const tenant = await requireTenant(database, opts.tenant);
        const settings =
          opts.userConsent === undefined && opts.workflow === undefined
            ? await getConsentSettings(database, tenant.id)
            : await updateConsentSettings(
                database,
                tenant.id,
                {
                  ...(opts.userConsent !== undefined ? { userConsent: opts.userConsent } : {}),
                  ...(opts.workflow !== undefined
                    ? { adminConsentWorkflowEnabled: opts.workflow }
                    : {}),
                },
                CLI_ACTOR,
              );
        ctx.print(settings, () => describeSettings(tenant.slug, settings));
      },
    );

  consent
    .command("grant <appId>")
    .description(
      "grant an app delegated permissions: for everyone (admin consent), one --user, or a --group",
    )
    .requiredOption(...TENANT_OPTION)
    .requiredOption("--scope <scopes...>", 'permissions, e.g. "openid" "Mail.Read" or "api://x/Y"')
    .option("--user <ref>", "user id or user principal name")
    .option("--group <ref>", "group id or name")
    .option("--expires <when>", 'end of the grant: a date, or days such as "30d"', (v) =>
      parseExpiry(v),
    )
    .action(
      async (
        appId: string,
        opts: { tenant: string; scope: string[]; user?: string; group?: string; expires?: Date },
      ) => {
        if (opts.user !== undefined && opts.group !== undefined)
          throw new CliError("Give at most one of --user or --group.");
        const database = await db(ctx);
        const tenant = await requireTenant(database, opts.tenant);
        const client = await applicationOf(database, appId);
        const user = opts.user ? await requireUser(database, tenant.id, opts.user) : undefined;
        const group = opts.group ? await requireGroup(database, tenant.id, opts.group) : undefined;
        const parts = await grantParts(database, tenant.id, client, opts.scope);
        const grants: DelegatedPermissionGrant[] = [];
        for (const part of parts) {
          const { grant } = await grantDelegatedPermissions(
            database,
            tenant.id,
            {
              clientApplicationId: client.id,
              resourceApplicationId: part.resource.id,
              scopes: part.scopes,
              consentType: user ? "Principal" : group ? "Groups" : "AllPrincipals",
              principalId: user?.id,
              groupIds: group ? [group.id] : undefined,
              expiresAt: opts.expires ?? null,
            },
            CLI_ACTOR,
          );
          grants.push(grant);
        }
        const who = user
          ? user.userPrincipalName
          : group
            ? `group ${group.displayName}`
            : "everyone";
        ctx.print(grants, () =>
          grants
            .map(
              (g) =>
                `Granted ${client.displayName} ${g.resourceDisplayName}: ${g.scopes.join(" ")} for ${who} in tenant ${tenant.slug} (grant ${g.id}${g.expiresAt ? `, until ${g.expiresAt.toISOString()}` : ""}).`,
            )
            .join("\n"),
        );
      },
    );

  consent
    .command("list")
    .description("list a tenant's delegated permission grants")
    .requiredOption(...TENANT_OPTION)
    .option("--user <ref>", "only this user's own grants")
    .action(async (opts: { tenant: string; user?: string }) => {
      const database = await db(ctx);
      const tenant = await requireTenant(database, opts.tenant);
      const user = opts.user ? await requireUser(database, tenant.id, opts.user) : undefined;
      const grants = await listDelegatedPermissionGrants(
        database,
        tenant.id,
        user ? { principalId: user.id } : {},
      );
      ctx.print(grants, () =>
        grants.length === 0
          ? `No delegated permission grants in tenant ${tenant.slug}.`
          : formatTable(
              ["ID", "APP", "RESOURCE", "FOR", "SCOPES", "EXPIRES"],
              grants.map((g) => [
                g.id,
                g.clientDisplayName,
                g.resourceDisplayName,
                principalOf(g),
                g.scopes.join(" "),
                g.expiresAt?.toISOString() ?? "never",
              ]),
            ),
      );
    });

  consent
    .command("revoke <grantId>")
    .description("revoke a delegated permission grant, or only some of its --scope values")
    .requiredOption(...TENANT_OPTION)
    .option("--scope <scopes...>", "remove only these permissions")
    .action(async (grantId: string, opts: { tenant: string; scope?: string[] }) => {
      const database = await db(ctx);
      const tenant = await requireTenant(database, opts.tenant);
      const result = await revokeDelegatedPermissionGrant(database, tenant.id, grantId, CLI_ACTOR, {
        scopes: opts.scope?.flatMap((s) => s.split(" ")).filter(Boolean),
      });
      ctx.print(result, () =>
        result.remaining.length === 0
          ? `Revoked grant ${grantId} (${result.removed.join(" ")}) in tenant ${tenant.slug}.`
          : `Removed ${result.removed.join(" ")} from grant ${grantId}; it keeps ${result.remaining.join(" ")}.`,
      );
    });

  consent
    .command("classify <scope> <classification>")
    .description("classify a delegated permission low, medium or high for user consent")
    .requiredOption(...TENANT_OPTION)
    .option("--resource <ref>", 'the API: Application ID URI, app id or "mail"', "mail")
    .action(
      async (scope: string, classification: string, opts: { tenant: string; resource: string }) => {
        if (!isClassification(classification))
          throw new CliError(
            `"${classification}" is not a classification: use low, medium or high.`,
          );
        const database = await db(ctx);
        const tenant = await requireTenant(database, opts.tenant);
        const resource = await resourceOf(database, opts.resource, tenant.id);
        const result = await classifyPermission(
          database,
          tenant.id,
          {
            resourceApplicationId: resource.id,
            value: scope,
            classification: classification as PermissionClassification,
          },
          CLI_ACTOR,
        );
        ctx.print(
          result,
          () =>
            `Classified ${resource.displayName} ${result.value} as ${result.classification} in tenant ${tenant.slug}.`,
        );
      },
    );
}
