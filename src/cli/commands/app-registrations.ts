import type { Command } from "commander";
import { CLI_ACTOR } from "../../identity/activity/audit-log.ts";
import {
  addClientSecret,
  addRedirectUri,
  createApplication,
  exposeAppRole,
  exposeScope,
  listApplications,
  listAppRoles,
  listClientSecrets,
  listExposedScopes,
  listRequiredPermissions,
  requirePermission,
  resourceIdentifierUri,
  setPublisherDisplayName,
  verifyPublisher,
} from "../../identity/apps/index.ts";
import { requireTenant } from "../../identity/directory/index.ts";
import { type CliContext, CliError } from "../context.ts";
import {
  applicationOf,
  db,
  describeApp,
  parseDays,
  resourceOf,
  TENANT_OPTION,
} from "./app-shared.ts";
import { formatTable } from "./directory-shared.ts";

/** `assent app …`: app registrations, their redirect URIs, secrets, permissions, publisher. */
export function registerRegistrationCommands(program: Command, ctx: CliContext): void {
  const app = program.command("app").description("manage app registrations");

  app
    .command("create <name>")
    .description("register an application (and its enterprise app in the tenant)")
    .requiredOption(...TENANT_OPTION)
    .option("--multi-tenant", "let users of any tenant sign in (AzureADMultipleOrgs)")
    .option("--public-client", "a public client (SPA, native app): no secret, PKCE")
    .option("--redirect-uri <uri...>", "redirect URIs (https, or http on localhost)")
    .action(
      async (
        name: string,
        opts: {
          tenant: string;
          multiTenant?: boolean;
          publicClient?: boolean;
          redirectUri?: string[];
        },
      ) => {
        const database = await db(ctx);
        const tenant = await requireTenant(database, opts.tenant);
        const created = await createApplication(
          database,
          tenant.id,
          {
            displayName: name,
            signInAudience: opts.multiTenant ? "AzureADMultipleOrgs" : "AzureADMyOrg",
            isPublicClient: opts.publicClient ?? false,
            redirectUris: opts.redirectUri ?? [],
          },
          CLI_ACTOR,
        );
        ctx.print(created, () => `Registered in tenant ${tenant.slug}:\n${describeApp(created)}`);
      },
    );

  app
    .command("list")
    .description("list the applications registered in a tenant")
    .requiredOption(...TENANT_OPTION)
    .action(async (opts: { tenant: string }) => {
      const database = await db(ctx);
      const tenant = await requireTenant(database, opts.tenant);
      const apps = await listApplications(database, tenant.id);
      ctx.print(apps, () =>
        apps.length === 0
          ? `No applications registered in tenant ${tenant.slug}.`
          : formatTable(
              ["NAME", "APP ID", "AUDIENCE", "PUBLISHER"],
              apps.map((a) => [
                a.displayName,
                a.appId,
                a.signInAudience === "AzureADMultipleOrgs" ? "multi-tenant" : "single-tenant",
                `${a.publisherDisplayName ?? ""}${a.publisherVerified ? " (verified)" : ""}`,
              ]),
            ),
      );
    });

  app
    .command("show <appId>")
    .description("show an application with its permissions and secrets (hints only)")
    .action(async (appId: string) => {
      const database = await db(ctx);
      const found = await applicationOf(database, appId);
      const [scopes, roles, required, secrets] = await Promise.all([
        listExposedScopes(database, found.id),
        listAppRoles(database, found.id),
        listRequiredPermissions(database, found.id),
        listClientSecrets(database, found.tenantId, found.id),
      ]);
      const value = { ...found, scopes, roles, requiredPermissions: required, secrets };
      ctx.print(value, () =>
        [
          describeApp(found),
          `  Exposed scopes           ${scopes.map((s) => s.value).join(", ") || "(none)"}`,
          `  App roles                ${roles.map((r) => r.value).join(", ") || "(none)"}`,
          `  Required permissions     ${required.map((r) => `${r.value ?? r.permissionId} (${r.type === "Role" ? "application" : "delegated"})`).join(", ") || "(none)"}`,
          `  Client secrets           ${secrets.map((s) => `${s.hint}… expires ${s.expiresAt.toISOString()}`).join(", ") || "(none)"}`,
        ].join("\n"),
      );
    });

  app
    .command("add-redirect <appId> <uri>")
    .description("add a redirect URI (matched exactly; https, or http on localhost)")
    .action(async (appId: string, uri: string) => {
      const database = await db(ctx);
      const found = await applicationOf(database, appId);
      const updated = await addRedirectUri(database, found.tenantId, found.id, uri, CLI_ACTOR);
      ctx.print(updated, () => `Added redirect URI ${uri} to ${updated.displayName}.`);
    });

  app
    .command("add-secret <appId>")
    .description("add a client secret; it is printed once and cannot be shown again")
    .option("--name <description>", "what the secret is for")
    .option("--expires-in-days <days>", "lifetime in days (default 180, at most 730)", parseDays)
    .action(async (appId: string, opts: { name?: string; expiresInDays?: number }) => {
      const database = await db(ctx);
      const found = await applicationOf(database, appId);
      const added = await addClientSecret(
        database,
        found.tenantId,
        found.id,
        { displayName: opts.name, expiresInDays: opts.expiresInDays },
        CLI_ACTOR,
      );
      ctx.io.stderr("Copy the client secret now: it is stored hashed and will not be shown again.");
      ctx.print(added, () =>
        [
          `Client secret for ${found.displayName} (expires ${added.expiresAt.toISOString()}):`,
          added.secret,
        ].join("\n"),
      );
    });

  app
    .command("require-permission <appId> <resource> <value>")
    .description(
      'add a permission the app requires: <resource> is an Application ID URI, an app id or "mail"',
    )
    .option("--role", "an application permission (app role) instead of a delegated scope")
    .action(async (appId: string, resourceRef: string, value: string, opts: { role?: boolean }) => {
      const database = await db(ctx);
      const found = await applicationOf(database, appId);
      const resource = await resourceOf(database, resourceRef);
      const type = opts.role ? "Role" : "Scope";
      const result = await requirePermission(
        database,
        found.tenantId,
        found.id,
        { resource, value, type },
        CLI_ACTOR,
      );
      const kind = type === "Role" ? "application permission" : "delegated permission";
      ctx.print(result, () =>
        result.added
          ? `${found.displayName} now requires the ${kind} ${resourceIdentifierUri(resource)}/${result.value}.`
          : `${found.displayName} already required the ${kind} ${resourceIdentifierUri(resource)}/${result.value}.`,
      );
    });

  app
    .command("expose-scope <appId> <value>")
    .description(
      "expose a delegated permission that clients request as {Application ID URI}/{value}",
    )
    .requiredOption("--admin-description <text>", "what the permission allows (admin consent)")
    .option("--admin-name <text>", "admin consent display name (default: the value)")
    .option("--user-name <text>", "user consent display name")
    .option("--user-description <text>", "user consent description")
    .option("--admin-consent-required", "only an admin may consent (default: users may)")
    .action(
      async (
        appId: string,
        value: string,
        opts: {
          adminDescription: string;
          adminName?: string;
          userName?: string;
          userDescription?: string;
          adminConsentRequired?: boolean;
        },
      ) => {
        const database = await db(ctx);
        const found = await applicationOf(database, appId);
        const scope = await exposeScope(
          database,
          found.tenantId,
          found.id,
          {
            value,
            adminConsentDisplayName: opts.adminName,
            adminConsentDescription: opts.adminDescription,
            userConsentDisplayName: opts.userName,
            userConsentDescription: opts.userDescription,
            adminConsentRequired: opts.adminConsentRequired ?? false,
          },
          CLI_ACTOR,
        );
        ctx.print(
          scope,
          () =>
            `${found.displayName} exposes ${resourceIdentifierUri(found)}/${scope.value} (${scope.adminConsentRequired ? "admins only" : "admins and users"} may consent).`,
        );
      },
    );

  app
    .command("expose-role <appId> <value>")
    .description("define an app role: an application permission and/or a role for users")
    .requiredOption("--name <text>", "display name")
    .requiredOption("--description <text>", "what the role allows")
    .option("--for <types>", "Application, User, or Application,User", "Application")
    .action(
      async (
        appId: string,
        value: string,
        opts: { name: string; description: string; for: string },
      ) => {
        const database = await db(ctx);
        const found = await applicationOf(database, appId);
        const types = opts.for.split(",").map((s) => s.trim());
        const allowed = types.map((t) => {
          if (/^application$/i.test(t)) return "Application" as const;
          if (/^users?$/i.test(t)) return "User" as const;
          throw new CliError(`--for: "${t}" is not Application or User.`);
        });
        const role = await exposeAppRole(
          database,
          found.tenantId,
          found.id,
          {
            value,
            displayName: opts.name,
            description: opts.description,
            allowedMemberTypes: allowed,
          },
          CLI_ACTOR,
        );
        ctx.print(
          role,
          () =>
            `${found.displayName} defines the app role ${role.value} (${role.allowedMemberTypes.join(", ")}).`,
        );
      },
    );

  app
    .command("set-publisher <appId> <name>")
    .description("set the publisher name shown on consent screens (unverified)")
    .action(async (appId: string, name: string) => {
      const database = await db(ctx);
      const found = await applicationOf(database, appId);
      const updated = await setPublisherDisplayName(
        database,
        found.tenantId,
        found.id,
        name,
        CLI_ACTOR,
      );
      ctx.print(
        updated,
        () =>
          `Publisher of ${updated.displayName}: ${updated.publisherDisplayName ?? "(none)"}${updated.publisherVerified ? " (verified)" : " (unverified)"}.`,
      );
    });

  app
    .command("verify-publisher <appId>")
    .description("platform operator: mark the app's publisher as verified")
    .requiredOption("--publisher <name>", "the verified organisation's name")
    .action(async (appId: string, opts: { publisher: string }) => {
      const database = await db(ctx);
      const found = await applicationOf(database, appId);
      const updated = await verifyPublisher(
        database,
        found.tenantId,
        found.id,
        opts.publisher,
        CLI_ACTOR,
      );
      ctx.print(
        updated,
        () => `${updated.displayName} is published by ${updated.publisherDisplayName} (verified).`,
      );
    });
}
