import { z } from "zod";
import type { DirectoryRole } from "../../directory/index.ts";
import type { RoutePermission } from "../authorize.ts";
import type { RouteContext } from "../route.ts";

/**
 * What the directory, application and policy routes share: who may call them (Entra's role
 * model on Assent's six directory roles), parameter and paging schemas, and small helpers.
 */

/**
 * Everyone with an administrative role but Reports Reader (who sees the logs only): Global
 * Reader sees everything and changes nothing.
 */
const DIRECTORY_READERS: DirectoryRole[] = [
  "global_administrator",
  "global_reader",
  "privileged_role_administrator",
  "cloud_application_administrator",
  "application_administrator",
];
const APP_ADMINS: DirectoryRole[] = [
  "global_administrator",
  "cloud_application_administrator",
  "application_administrator",
];
const ROLE_ADMINS: DirectoryRole[] = ["global_administrator", "privileged_role_administrator"];

export const PERMISSIONS = {
  readDirectory: {
    anyOf: ["Directory.Read.All", "Directory.ReadWrite.All"],
    directoryRoles: DIRECTORY_READERS,
  },
  /** Users, groups, members. Entra's User and Groups Administrators are not Assent roles (yet). */
  writeDirectory: { anyOf: ["Directory.ReadWrite.All"], directoryRoles: ["global_administrator"] },
  readRoles: {
    anyOf: ["Directory.Read.All", "Directory.ReadWrite.All", "RoleManagement.ReadWrite.Directory"],
    directoryRoles: DIRECTORY_READERS,
  },
  writeRoles: { anyOf: ["RoleManagement.ReadWrite.Directory"], directoryRoles: ROLE_ADMINS },
  readApplications: {
    anyOf: ["Directory.Read.All", "Directory.ReadWrite.All", "Application.ReadWrite.All"],
    directoryRoles: DIRECTORY_READERS,
  },
  writeApplications: { anyOf: ["Application.ReadWrite.All"], directoryRoles: APP_ADMINS },
  writeAssignments: { anyOf: ["AppRoleAssignment.ReadWrite.All"], directoryRoles: APP_ADMINS },
  readGrants: {
    anyOf: [
      "Directory.Read.All",
      "Directory.ReadWrite.All",
      "Application.ReadWrite.All",
      "DelegatedPermissionGrant.ReadWrite.All",
    ],
    directoryRoles: DIRECTORY_READERS,
  },
  writeGrants: {
    anyOf: ["DelegatedPermissionGrant.ReadWrite.All"],
    directoryRoles: [...APP_ADMINS, "privileged_role_administrator"],
  },
  readPolicies: {
    anyOf: [
      "Policy.Read.All",
      "Policy.ReadWrite.Authorization",
      "Policy.ReadWrite.PermissionGrant",
    ],
    directoryRoles: DIRECTORY_READERS,
  },
  /** Entra: user consent settings need Privileged Role Administrator or Global Administrator. */
  writeAuthorizationPolicy: {
    anyOf: ["Policy.ReadWrite.Authorization"],
    directoryRoles: ROLE_ADMINS,
  },
  writePermissionGrantPolicies: {
    anyOf: ["Policy.ReadWrite.PermissionGrant"],
    directoryRoles: ROLE_ADMINS,
  },
} satisfies Record<string, RoutePermission>;

/** An object id in a path. Malformed ids are answered 404 by the services, like unknown ones. */
export const objectId = (what: string) =>
  z.string().min(1).max(128).describe(`The ${what}'s object id.`);

export const idParams = (what: string) => z.object({ id: objectId(what) });

export const searchQuery = {
  search: z
    .string()
    .trim()
    .min(1)
    .max(256)
    .optional()
    .describe(
      "Case-insensitive prefix of a name (the start of the display name or of one of its words); like Graph's $search.",
    ),
};

/** The answer of an operation that answers 204 No Content. */
export const noContent = z.undefined().describe("No content.");

/** ISO 8601 with offset, as every date the API returns. */
export const dateTime = z.iso.datetime({ offset: true });

export function iso(date: Date): string {
  return date.toISOString();
}

export function isoOrNull(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

/** A page answer: `value`, and `@odata.nextLink` unless it is the last page. */
export function pageAnswer<T>(
  ctx: RouteContext<unknown, unknown, unknown>,
  value: T[],
  nextCursor: string | undefined,
): { value: T[]; "@odata.nextLink"?: string } {
  const next = ctx.nextLink(nextCursor);
  return { value, ...(next ? { "@odata.nextLink": next } : {}) };
}

/** Zod for a PATCH body: at least one of its fields must be given. */
export function patchBody<T extends z.ZodRawShape>(shape: T) {
  return z
    .object(shape)
    .strict()
    .refine((body) => Object.values(body).some((v) => v !== undefined), {
      message: `Give at least one of ${Object.keys(shape).join(", ")}.`,
    });
}
