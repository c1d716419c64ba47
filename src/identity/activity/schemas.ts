import { z } from "zod";

/**
 * The sign-in and audit log as the admin API, the exports and the CLI show them: one zod schema
 * each, for the OpenAPI document, the response types and the tests. Names follow Graph's
 * `signIn` and `directoryAudit` resources, flattened where a CSV column needs one value.
 */

const dateTime = z.iso.datetime({ offset: true });
const nullableText = z.string().nullable();

export const signInStatusSchema = z.enum(["success", "failure", "interrupted"]);
export const signInEventTypeSchema = z.enum([
  "interactiveUser",
  "nonInteractiveUser",
  "servicePrincipal",
]);

export const signInSchema = z
  .object({
    id: z.guid().describe("The event's id (GET /api/v1/auditLogs/signIns/{id})."),
    createdDateTime: dateTime,
    requestId: z
      .string()
      .describe("The request id shown on the error page's troubleshooting block."),
    correlationId: nullableText,
    signInEventType: signInEventTypeSchema,
    isInteractive: z.boolean(),
    userId: nullableText,
    userPrincipalName: nullableText,
    userDisplayName: nullableText,
    servicePrincipalId: nullableText,
    servicePrincipalName: nullableText,
    appId: nullableText,
    appDisplayName: nullableText,
    resourceId: nullableText,
    resourceDisplayName: nullableText,
    ipAddress: nullableText,
    userAgent: nullableText,
    clientAppUsed: nullableText,
    status: signInStatusSchema,
    errorCode: z.int().describe("Entra-compatible error code (AADSTS number); 0 for success."),
    failureReason: nullableText,
    additionalDetails: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "SignIn" });
export type SignInView = z.infer<typeof signInSchema>;

const actorSchema = z
  .object({
    type: z.enum(["user", "application", "system"]),
    id: z.string().optional(),
    userPrincipalName: z.string().optional(),
    displayName: z.string().optional(),
    name: z.string().optional(),
  })
  .meta({ id: "AuditActor" });

export const directoryAuditSchema = z
  .object({
    id: z.guid(),
    activityDateTime: dateTime,
    activityDisplayName: z.string().describe('Entra activity name, e.g. "Add user".'),
    category: z.string(),
    result: z.string(),
    correlationId: nullableText,
    initiatedBy: actorSchema,
    targetResources: z.array(
      z.object({ type: z.string(), id: z.string(), displayName: z.string().optional() }),
    ),
    modifiedProperties: z.array(
      z.object({ name: z.string(), oldValue: z.unknown(), newValue: z.unknown() }),
    ),
    additionalDetails: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "DirectoryAudit" });
export type DirectoryAuditView = z.infer<typeof directoryAuditSchema>;

/** A page of a listing, Graph-style: `@odata.nextLink` is present when there is more. */
export function pageSchema<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      value: z.array(item),
      "@odata.nextLink": z
        .url()
        .optional()
        .describe("GET this URL (same token) for the next page; absent on the last page."),
    })
    .meta({ id });
}
