import type { Kysely } from "kysely";
import { z } from "zod";
import { findResourceApplication } from "../../apps/index.ts";
import { classificationsFor, type PermissionClassification } from "../../consent/index.ts";
import {
  approveConsentRequest,
  blockConsentRequest,
  CONSENT_REQUEST_STATUSES,
  type ConsentRequestStatus,
  denyConsentRequest,
  getConsentRequest,
  listConsentRequests,
  unblockServicePrincipal,
} from "../../consent-requests/index.ts";
import type { IdentityDB } from "../../db.ts";
import type { RoutePermission } from "../authorize.ts";
import { type AdminRoute, defineRoute, type RouteContext } from "../route.ts";
import {
  approveBodySchema,
  approvedSchema,
  detailSchema,
  pageOfRequestsSchema,
  reasonBodySchema,
  toJson,
  viewerOf,
} from "./consent-request-schemas.ts";

// Who is a reviewer is decided by the workflow's policy, read live by the service (403
// consent_request.not_reviewer): reviewers may be users without any directory role.
const REVIEW: RoutePermission = {
  anyOf: ["ConsentRequest.ReadWrite.All"],
  directoryRoles: "checked_by_route",
};
const TAGS = ["Admin consent requests"];
const idParams = z.object({ id: z.string().max(64).describe("The request's id.") });
const NOT_FOUND = {
  status: 404,
  code: "consent_request.not_found",
  description: "No such request in this tenant.",
};
const NOT_REVIEWER = {
  status: 403,
  code: "consent_request.not_reviewer",
  description: "The signed-in user is not a reviewer now.",
};
const DECIDED = {
  status: 409,
  code: "consent_request.already_decided",
  description: "Someone decided first (details name who and how), or it expired.",
};

const links = (ctx: RouteContext<unknown, unknown, unknown>) => ({
  links: { publicUrl: ctx.deps.config.identity.publicUrl },
  correlationId: ctx.request.id,
});

const listQuery = z
  .object({
    filter: z
      .enum(["my_pending", "all"])
      .default("all")
      .describe("my_pending: open requests you may review now (Entra My Pending); all."),
    status: z
      .enum(CONSENT_REQUEST_STATUSES as [ConsentRequestStatus, ...ConsentRequestStatus[]])
      .optional(),
    app: z.string().trim().max(64).optional().describe("The app's client id or object id."),
    createdFrom: z.iso.datetime({ offset: true }).optional(),
    createdTo: z.iso.datetime({ offset: true }).optional(),
    sort: z
      .enum(["created_desc", "created_asc", "requesters_desc"])
      .default("created_desc")
      .describe("Newest first, oldest first, or most requesters first."),
    top: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(512).optional().describe("Use @odata.nextLink as given."),
  })
  .refine((q) => !q.createdFrom || !q.createdTo || q.createdFrom <= q.createdTo, {
    message: "createdFrom must not be after createdTo",
    path: ["createdFrom"],
  });

export const listConsentRequestsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/consentRequests",
  operationId: "listConsentRequests",
  summary: "List admin consent requests",
  description:
    "My pending (requests you may decide now: reviewers are resolved live, so a reviewer added today sees older requests) or all; filter by status, app and creation time; sort by age or by number of requesters; keyset pagination through @odata.nextLink.",
  tags: TAGS,
  permission: REVIEW,
  query: listQuery,
  response: pageOfRequestsSchema,
  errors: [
    {
      status: 400,
      code: "request.invalid_cursor",
      description: "A cursor this API did not issue.",
    },
  ],
  async handler(ctx) {
    const { createdFrom, createdTo, ...rest } = ctx.query;
    const page = await listConsentRequests(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      viewerOf(ctx.caller),
      {
        ...rest,
        createdFrom: createdFrom ? new Date(createdFrom) : undefined,
        createdTo: createdTo ? new Date(createdTo) : undefined,
      },
    );
    const next = ctx.nextLink(page.nextCursor);
    return { value: toJson(page.value), ...(next ? { "@odata.nextLink": next } : {}) };
  },
});

export const getConsentRequestRoute = defineRoute({
  method: "GET",
  path: "/api/v1/consentRequests/{id}",
  operationId: "getConsentRequest",
  summary: "One admin consent request, with requesters, scope diff and your capabilities",
  tags: TAGS,
  permission: REVIEW,
  params: idParams,
  response: detailSchema,
  errors: [NOT_FOUND],
  handler: async (ctx) => {
    const { db } = ctx.deps.database;
    const detail = await getConsentRequest(
      db,
      ctx.caller.tenantId,
      ctx.params.id,
      viewerOf(ctx.caller),
    );
    return toJson({
      ...detail,
      scopeDiff: await withClassifications(db, ctx.caller.tenantId, detail.scopeDiff),
    });
  },
});

/**
 * Adds the tenant's permission classification to each requested scope, so the request page's
 * risk column says "Low" where the tenant classified a permission as low impact.
 */
async function withClassifications<
  S extends { value: string },
  D extends { resourceAppId: string; requested: S[] },
>(db: Kysely<IdentityDB>, tenantId: string, diff: D[]) {
  const resources = await Promise.all(
    diff.map((d) => findResourceApplication(db, d.resourceAppId, { tenantId })),
  );
  const ids = resources.flatMap((r) => (r ? [r.id] : []));
  const classified = await classificationsFor(db, tenantId, ids);
  return diff.map((d, i) => {
    const own = classified.get(resources[i]?.id ?? "") ?? {};
    return {
      ...d,
      requested: d.requested.map((s): S & { classification: PermissionClassification | null } => ({
        ...s,
        classification: own[s.value] ?? null,
      })),
    };
  });
}

export const approveConsentRequestRoute = defineRoute({
  method: "POST",
  path: "/api/v1/consentRequests/{id}/approve",
  operationId: "approveConsentRequest",
  summary: "Approve a request: all permissions or some, for everyone, groups or users",
  description:
    "Creates the delegated permission grants (AllPrincipals, Groups or Principal), optionally expiring, records the decision and emails the requesters, in one transaction. Needs a reviewer whose directory roles may grant the permissions for the organization.",
  tags: TAGS,
  permission: REVIEW,
  params: idParams,
  body: approveBodySchema,
  response: approvedSchema,
  errors: [
    NOT_FOUND,
    NOT_REVIEWER,
    DECIDED,
    {
      status: 403,
      code: "consent_request.cannot_approve",
      description: "Your roles may not grant these permissions.",
    },
    {
      status: 400,
      code: "consent_request.scope_not_requested",
      description: "Not a subset of the request.",
    },
  ],
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const viewer = viewerOf(ctx.caller);
    const { grants } = await approveConsentRequest(
      db,
      ctx.caller.tenantId,
      ctx.params.id,
      viewer,
      { ...ctx.body, until: ctx.body.until ? new Date(ctx.body.until) : null },
      links(ctx),
    );
    const request = await getConsentRequest(db, ctx.caller.tenantId, ctx.params.id, viewer);
    return toJson({
      request,
      grants: grants.map(({ grant }) => ({
        id: grant.id,
        consentType: grant.consentType,
        resourceAppId: grant.resourceAppId,
        principalId: grant.principalId,
        groupIds: grant.groupIds,
        scopes: grant.scopes,
        expiresAt: grant.expiresAt,
      })),
    });
  },
});

function closeRoute(kind: "deny" | "block") {
  return defineRoute({
    method: "POST",
    path: `/api/v1/consentRequests/{id}/${kind}`,
    operationId: `${kind}ConsentRequest`,
    summary:
      kind === "deny"
        ? "Deny a request, with a reason (users may ask again)"
        : "Block the app through a request, with a reason (new requests refused until unblocked)",
    tags: TAGS,
    permission: REVIEW,
    params: idParams,
    body: reasonBodySchema,
    response: detailSchema,
    errors: [
      NOT_FOUND,
      NOT_REVIEWER,
      DECIDED,
      {
        status: 400,
        code: "consent_request.reason_required",
        description: "A reason is required.",
      },
    ],
    async handler(ctx) {
      const { db } = ctx.deps.database;
      const viewer = viewerOf(ctx.caller);
      const decide = kind === "deny" ? denyConsentRequest : blockConsentRequest;
      await decide(db, ctx.caller.tenantId, ctx.params.id, viewer, ctx.body.reason, links(ctx));
      return toJson(await getConsentRequest(db, ctx.caller.tenantId, ctx.params.id, viewer));
    },
  });
}

export const unblockServicePrincipalRoute = defineRoute({
  method: "POST",
  path: "/api/v1/servicePrincipals/{id}/unblock",
  operationId: "unblockServicePrincipal",
  summary: "Unblock an app blocked through a consent request",
  tags: TAGS,
  permission: REVIEW,
  params: z.object({ id: z.string().max(64).describe("The service principal's object id.") }),
  body: z.object({ reason: z.string().max(1000).optional() }).optional(),
  response: z.object({ id: z.guid(), applicationId: z.guid(), blocked: z.literal(false) }),
  errors: [
    { status: 404, code: "service_principal.not_found", description: "No such service principal." },
    { status: 409, code: "service_principal.not_blocked", description: "The app is not blocked." },
  ],
  handler: async (ctx) =>
    unblockServicePrincipal(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      viewerOf(ctx.caller),
      {
        reason: ctx.body?.reason,
      },
    ),
});

/** The admin consent request operations (issue 5). */
export const consentRequestRoutes: AdminRoute[] = [
  listConsentRequestsRoute,
  getConsentRequestRoute,
  approveConsentRequestRoute,
  closeRoute("deny"),
  closeRoute("block"),
  unblockServicePrincipalRoute,
];
