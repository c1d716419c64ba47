import { z } from "zod";
import { pageSchema } from "../../activity/index.ts";
import {
  CONSENT_REQUEST_EVENT_TYPES,
  CONSENT_REQUEST_STATUSES,
  type ConsentRequestViewer,
} from "../../consent-requests/index.ts";
import { DIRECTORY_ROLES } from "../../directory/index.ts";
import type { AdminCaller } from "../caller.ts";

/**
 * The admin consent workflow's admin API shapes (zod -> OpenAPI), named after Graph where Graph
 * has the resource (adminConsentRequestPolicy) and Assent's own where Entra has no API.
 */

const dateTime = z.iso.datetime({ offset: true });
const statusSchema = z.enum(CONSENT_REQUEST_STATUSES as [string, ...string[]]);

/** Dates as ISO strings, recursively: what a JSON response carries. */
export type Jsonified<T> = T extends Date
  ? string
  : T extends Array<infer U>
    ? Jsonified<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T;

/** A service value as its JSON answer (Dates become ISO 8601 strings). */
export function toJson<T>(value: T): Jsonified<T> {
  return JSON.parse(JSON.stringify(value)) as Jsonified<T>;
}

/** The caller as the workflow sees it. */
export function viewerOf(caller: AdminCaller): ConsentRequestViewer {
  return caller.kind === "delegated"
    ? { kind: "user", userId: caller.userId }
    : { kind: "application", servicePrincipalId: caller.servicePrincipalId, appId: caller.appId };
}

export const reviewerSchema = z
  .object({
    type: z.enum(["user", "group", "role"]),
    id: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .describe(
        `A user or group object id, or a directory role key (${DIRECTORY_ROLES.map((r) => r.key).join(", ")}).`,
      ),
  })
  .meta({ id: "ConsentRequestReviewer" });

export const policySchema = z
  .object({
    isEnabled: z
      .boolean()
      .describe("Users can request admin consent to apps they are unable to consent to."),
    reviewers: z.array(reviewerSchema).max(25),
    notifyReviewers: z.boolean().describe("Email reviewers about each new request."),
    remindersEnabled: z.boolean().describe("Email reviewers at each request's midpoint."),
    requestDurationInDays: z
      .int()
      .min(1)
      .max(30)
      .describe("A request expires after this many days."),
  })
  .meta({ id: "AdminConsentRequestPolicy" });

export const policyUpdateSchema = policySchema
  .partial()
  .meta({ id: "AdminConsentRequestPolicyUpdate" })
  .describe("Fields left out keep their values. Changes apply from the very next request.");

const appSchema = z
  .object({
    id: z.guid().describe("The application's object id."),
    appId: z.guid().describe("The application (client) id."),
    displayName: z.string(),
    publisherName: z.string().nullable(),
    publisherVerified: z.boolean(),
    homepageUrl: z.string().nullable(),
    logoUrl: z.string().nullable(),
  })
  .meta({ id: "ConsentRequestApp" });

const resourceScopesSchema = z
  .object({
    resourceAppId: z.string().describe("The resource's application (client) id."),
    resourceDisplayName: z.string(),
    scopes: z.array(z.string()),
  })
  .meta({ id: "ResourceScopes" });

const decidedBySchema = z
  .object({
    type: z.enum(["user", "application", "system"]),
    id: z.string().nullable(),
    displayName: z.string().nullable(),
  })
  .nullable();

const summaryShape = {
  id: z.guid(),
  status: statusSchema,
  app: appSchema,
  requesterCount: z.int().describe("Requesters who have not withdrawn."),
  scopes: z.array(resourceScopesSchema).describe("What the requesters asked, merged."),
  createdAt: dateTime,
  updatedAt: dateTime,
  expiresAt: dateTime,
  decidedAt: dateTime.nullable(),
  decidedBy: decidedBySchema,
  reason: z.string().nullable().describe("The reviewer's reason (denied, blocked)."),
};

export const summarySchema = z.object(summaryShape).meta({ id: "ConsentRequestSummary" });
export const pageOfRequestsSchema = pageSchema(summarySchema, "ConsentRequestPage");

const audienceSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("everyone") }),
    z.object({ type: z.literal("groups"), ids: z.array(z.guid()).min(1).max(50) }),
    z.object({ type: z.literal("users"), ids: z.array(z.guid()).min(1).max(200) }),
  ])
  .meta({ id: "ApprovalAudience" });

export const detailSchema = z
  .object({
    ...summaryShape,
    requesters: z.array(
      z.object({
        userId: z.guid(),
        userPrincipalName: z.string(),
        displayName: z.string(),
        justification: z.string(),
        scopes: z.array(resourceScopesSchema),
        requestedAt: dateTime,
        updatedAt: dateTime,
        withdrawnAt: dateTime.nullable(),
      }),
    ),
    scopeDiff: z.array(
      z.object({
        resourceAppId: z.string(),
        resourceDisplayName: z.string(),
        requested: z.array(
          z.object({
            value: z.string(),
            displayName: z.string(),
            description: z.string(),
            adminConsentRequired: z.boolean(),
            classification: z
              .enum(["low", "medium", "high"])
              .nullable()
              .optional()
              .describe("The tenant's permission classification (null: unclassified)."),
          }),
        ),
        alreadyGranted: z.array(z.string()).describe("Already granted to everyone."),
        new: z.array(z.string()).describe("What approving for everyone would add."),
      }),
    ),
    approval: z
      .object({
        scopes: z.array(resourceScopesSchema),
        audience: audienceSchema,
        until: dateTime.nullable(),
      })
      .nullable(),
    servicePrincipal: z.object({ id: z.guid(), blocked: z.boolean() }).nullable(),
    viewer: z
      .object({
        isReviewer: z.boolean(),
        canApprove: z.boolean(),
        canDeny: z.boolean(),
        canBlock: z.boolean(),
        cannotApproveReason: z.string().nullable(),
      })
      .describe("What the caller may do with the request now, and why not."),
  })
  .meta({ id: "ConsentRequest" });

export const approveBodySchema = z
  .object({
    scopes: z
      .array(
        z.object({
          resourceAppId: z.string().min(1).max(64),
          scopes: z.array(z.string().min(1).max(256)).min(1).max(100),
        }),
      )
      .min(1)
      .max(20)
      .optional()
      .describe("A subset of the requested permissions; left out: all of them."),
    audience: audienceSchema
      .optional()
      .describe("Who the grants cover; left out: everyone in the organization."),
    until: dateTime.optional().describe("The grants end then; left out: they do not expire."),
  })
  .meta({ id: "ApproveConsentRequest" });

export const reasonBodySchema = z
  .object({
    reason: z
      .string()
      .max(1000)
      .describe("Shown to every requester (required, 1 to 1000 characters)."),
  })
  .meta({ id: "ConsentRequestDecisionReason" });

export const approvedSchema = z
  .object({
    request: detailSchema,
    grants: z.array(
      z.object({
        id: z.guid(),
        consentType: z.enum(["AllPrincipals", "Principal", "Groups"]),
        resourceAppId: z.string(),
        principalId: z.string().nullable(),
        groupIds: z.array(z.string()),
        scopes: z.array(z.string()),
        expiresAt: dateTime.nullable(),
      }),
    ),
  })
  .meta({ id: "ApprovedConsentRequest" });

export const webhookEndpointSchema = z
  .object({
    id: z.guid(),
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(z.string()),
    enabled: z.boolean(),
    createdAt: dateTime,
  })
  .meta({ id: "WebhookEndpoint" });

export const newWebhookEndpointSchema = z
  .object({
    url: z.string().trim().min(1).max(2048),
    eventTypes: z.array(z.enum(CONSENT_REQUEST_EVENT_TYPES)).min(1).max(7),
    description: z.string().trim().max(256).optional(),
  })
  .meta({ id: "NewWebhookEndpoint" });

export const createdWebhookEndpointSchema = webhookEndpointSchema
  .extend({
    secret: z.string().describe("The signing secret (whsec_…): shown this once, store it now."),
  })
  .meta({ id: "CreatedWebhookEndpoint" });

export const webhookDeliverySchema = z
  .object({
    id: z.guid(),
    eventId: z.string(),
    eventType: z.string(),
    attempt: z.int(),
    url: z.string(),
    statusCode: z.int().nullable(),
    responseExcerpt: z.string().nullable(),
    durationMs: z.int(),
    error: z.string().nullable(),
    createdAt: dateTime,
  })
  .meta({ id: "WebhookDelivery" });
