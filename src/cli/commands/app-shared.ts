import { InvalidArgumentError } from "commander";
import type { Kysely } from "kysely";
import {
  type Application,
  findApplicationByAppId,
  findApplicationById,
  findResourceApplication,
  MAIL_RESOURCE,
} from "../../identity/apps/index.ts";
import type { IdentityDB } from "../../identity/db.ts";
import { type CliContext, CliError } from "../context.ts";

/** Helpers of the `app` and `sp` commands. */

export const TENANT_OPTION = ["--tenant <ref>", "tenant id, slug or verified domain"] as const;

/** `--enabled true|false`: an explicit value, so a typo cannot silently flip a setting. */
export function parseBoolean(value: string): boolean {
  if (/^(true|yes|1)$/i.test(value)) return true;
  if (/^(false|no|0)$/i.test(value)) return false;
  throw new InvalidArgumentError("use true or false.");
}

export function parseDays(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("use a whole number of days.");
  return Number(value);
}

export async function db(ctx: CliContext): Promise<Kysely<IdentityDB>> {
  return (await ctx.database()).db;
}

/** The application a command names by its app (client) id, or its object id. */
export async function applicationOf(
  database: Kysely<IdentityDB>,
  ref: string,
): Promise<Application> {
  const application =
    (await findApplicationByAppId(database, ref.trim())) ??
    (await findApplicationById(database, ref.trim()));
  if (!application)
    throw new CliError(
      `No application "${ref}": give its application (client) id, as "assent app list --tenant <ref>" shows.`,
    );
  return application;
}

/** A resource named by Application ID URI, app id, or "mail" (Assent Mail). */
export async function resourceOf(
  database: Kysely<IdentityDB>,
  ref: string,
  tenantId?: string,
): Promise<Application> {
  // "mail" is the command line's short name for Assent Mail; scope parameters never accept it.
  const resource = await findResourceApplication(
    database,
    ref.trim().toLowerCase() === "mail" ? MAIL_RESOURCE.appId : ref,
    { tenantId },
  );
  if (!resource)
    throw new CliError(
      `No resource "${ref}"${tenantId ? " available in this tenant" : ""}: give an Application ID URI (api://…), an application id, or "mail" for Assent Mail.`,
    );
  return resource;
}

export function describeApp(app: Application): string {
  return [
    `${app.displayName}`,
    `  Application (client) id  ${app.appId}`,
    `  Object id                ${app.id}`,
    `  Application ID URI       ${app.identifierUris.join(", ")}`,
    `  Audience                 ${app.signInAudience === "AzureADMultipleOrgs" ? "multi-tenant" : "this tenant only"}${app.isPublicClient ? ", public client" : ""}`,
    `  Redirect URIs            ${app.redirectUris.join(", ") || "(none)"}`,
    `  Publisher                ${app.publisherDisplayName ?? "(none)"}${app.publisherVerified ? " (verified)" : ""}`,
  ].join("\n");
}
