import type { Kysely } from "kysely";
import { z } from "zod";
import { inTransaction } from "../../../platform/db/index.ts";
import { ApiError } from "../../../platform/http/errors.ts";
import { recordAudit } from "../../activity/audit-log.ts";
import {
  findApplicationById,
  findResourceApplication,
  MAIL_APPLICATION_ID,
} from "../../apps/index.ts";
import {
  assignPermissionGrantPolicyToUsers,
  classifyPermission,
  conditionSetSchema,
  createPermissionGrantPolicy,
  DEFAULT_LOW_IMPACT_SCOPES,
  getConsentSettings,
  listClassifications,
  listPermissionGrantPolicies,
  type PermissionClassification,
  updateConsentSettings,
  userConsentPolicies,
} from "../../consent/index.ts";
import type { IdentityDB } from "../../db.ts";
import { actorOf } from "../caller.ts";
import { type AdminRoute, defineRoute } from "../route.ts";
import { noContent, PERMISSIONS } from "./admin-common.ts";

/**
 * Consent policies: user consent settings (Graph authorizationPolicy), permission
 * classifications and permission grant policies. The admin consent request policy is
 * routes/consent-requests.ts's.
 */

const TAGS = ["Consent policies"];

const userConsentSchema = z
  .enum(["disabled", "verified_publishers_low_impact", "all_apps"])
  .describe(
    "disabled: users cannot consent; verified_publishers_low_impact: users may consent to low-impact permissions of apps from verified publishers or this organization (recommended); all_apps: users may consent to any permission that does not need an administrator.",
  );

const authorizationPolicySchema = z
  .object({
    id: z.literal("authorizationPolicy"),
    userConsent: userConsentSchema,
    permissionGrantPoliciesAssigned: z
      .array(z.string())
      .describe("What users hold: managePermissionGrantsForSelf.{policy id}, as Graph lists it."),
  })
  .meta({ id: "AuthorizationPolicy" });

async function authorizationPolicy(
  db: Kysely<IdentityDB>,
  tenantId: string,
): Promise<z.input<typeof authorizationPolicySchema>> {
  const [settings, { policies }] = await Promise.all([
    getConsentSettings(db, tenantId),
    userConsentPolicies(db, tenantId),
  ]);
  return {
    id: "authorizationPolicy",
    userConsent: settings.userConsent,
    permissionGrantPoliciesAssigned: policies.map((p) => `managePermissionGrantsForSelf.${p.id}`),
  };
}

export const getAuthorizationPolicyRoute = defineRoute({
  method: "GET",
  path: "/api/v1/policies/authorizationPolicy",
  operationId: "getAuthorizationPolicy",
  summary: "User consent settings",
  tags: TAGS,
  permission: PERMISSIONS.readPolicies,
  response: authorizationPolicySchema,
  handler: async (ctx) => authorizationPolicy(ctx.deps.database.db, ctx.caller.tenantId),
});

export const updateAuthorizationPolicyRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/policies/authorizationPolicy",
  operationId: "updateAuthorizationPolicy",
  summary: "Change the user consent setting",
  description:
    'Affects future consent only: grants already made stay. Writes "Update authorization policy".',
  tags: TAGS,
  permission: PERMISSIONS.writeAuthorizationPolicy,
  body: z.object({ userConsent: userConsentSchema }).strict(),
  response: authorizationPolicySchema,
  async handler(ctx) {
    const { db } = ctx.deps.database;
    await updateConsentSettings(
      db,
      ctx.caller.tenantId,
      { userConsent: ctx.body.userConsent },
      actorOf(ctx.caller),
    );
    return authorizationPolicy(db, ctx.caller.tenantId);
  },
});

const classificationSchema = z
  .object({
    resourceAppId: z.guid(),
    resourceDisplayName: z.string(),
    permissionName: z.string().describe("The delegated permission's value, e.g. Mail.ReadBasic."),
    classification: z.enum(["low", "medium", "high"]),
    source: z
      .enum(["tenant", "default"])
      .describe("default: built in, until the tenant says otherwise."),
  })
  .meta({ id: "PermissionClassification" });

type ClassificationView = z.input<typeof classificationSchema>;

export const listClassificationsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/policies/permissionClassifications",
  operationId: "listPermissionClassifications",
  summary: "Permission classifications (what counts as low impact)",
  tags: TAGS,
  permission: PERMISSIONS.readPolicies,
  response: z.object({ value: z.array(classificationSchema) }),
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const rows = await listClassifications(db, ctx.caller.tenantId);
    const resourceIds = [
      ...new Set([MAIL_APPLICATION_ID, ...rows.map((r) => r.resourceApplicationId)]),
    ];
    const resources = new Map(
      await Promise.all(
        resourceIds.map(async (id) => [id, await findApplicationById(db, id)] as const),
      ),
    );
    const view = (
      id: string,
      name: string,
      c: PermissionClassification,
      source: "tenant" | "default",
    ) => {
      const resource = resources.get(id);
      return resource
        ? [
            {
              resourceAppId: resource.appId,
              resourceDisplayName: resource.displayName,
              permissionName: name,
              classification: c,
              source,
            },
          ]
        : [];
    };
    const own: ClassificationView[] = rows.flatMap((r) =>
      view(r.resourceApplicationId, r.scopeValue, r.classification, "tenant"),
    );
    const defaults = DEFAULT_LOW_IMPACT_SCOPES.filter(
      (s) =>
        !rows.some((r) => r.resourceApplicationId === MAIL_APPLICATION_ID && r.scopeValue === s),
    ).flatMap((s) => view(MAIL_APPLICATION_ID, s, "low", "default"));
    return { value: [...own, ...defaults] };
  },
});

export const classifyRoute = defineRoute({
  method: "POST",
  path: "/api/v1/policies/permissionClassifications",
  operationId: "classifyPermission",
  summary: "Classify a delegated permission (or change its classification)",
  description:
    "Only delegated permissions that users may consent to can be classified, as in Entra.",
  tags: TAGS,
  permission: PERMISSIONS.writePermissionGrantPolicies,
  body: z
    .object({
      resource: z
        .string()
        .min(1)
        .max(512)
        .describe("The resource's Application ID URI (api://assent-mail) or app id."),
      permissionName: z.string().min(1).max(120),
      classification: z.enum(["low", "medium", "high"]),
    })
    .strict(),
  response: classificationSchema,
  status: 201,
  errors: [
    { status: 404, code: "permission.not_found", description: "The resource has no such scope." },
    {
      status: 400,
      code: "permission_classification.admin_only",
      description: "The scope requires admin consent.",
    },
  ],
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const { tenantId } = ctx.caller;
    const resource = await findResourceApplication(db, ctx.body.resource, { tenantId });
    if (!resource)
      throw new ApiError(
        404,
        "application.not_found",
        `No resource "${ctx.body.resource}" is available in this tenant: give an Application ID URI or an app id.`,
      );
    const made = await classifyPermission(
      db,
      tenantId,
      {
        resourceApplicationId: resource.id,
        value: ctx.body.permissionName,
        classification: ctx.body.classification,
      },
      actorOf(ctx.caller),
    );
    return {
      resourceAppId: resource.appId,
      resourceDisplayName: resource.displayName,
      permissionName: made.value,
      classification: made.classification,
      source: "tenant" as const,
    };
  },
});

/**
 * Removes the tenant's classification of a delegated permission, in one transaction with its
 * audit event. A built-in default (Assent Mail's sign-in scopes) has no row to remove: the
 * answer says to classify it instead.
 */
async function removeClassification(
  db: Kysely<IdentityDB>,
  tenantId: string,
  resource: { id: string; displayName: string },
  permissionName: string,
  actor: ReturnType<typeof actorOf>,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const removed = await trx
      .deleteFrom("identity.permission_classifications")
      .where("tenant_id", "=", tenantId)
      .where("resource_application_id", "=", resource.id)
      .where((eb) => eb(eb.fn("lower", ["scope_value"]), "=", permissionName.toLowerCase()))
      .returning(["scope_value", "classification"])
      .executeTakeFirst();
    if (!removed) {
      const builtIn =
        resource.id === MAIL_APPLICATION_ID &&
        DEFAULT_LOW_IMPACT_SCOPES.some((s) => s.toLowerCase() === permissionName.toLowerCase());
      throw builtIn
        ? new ApiError(
            409,
            "permission_classification.built_in",
            `${permissionName} is low impact by default in every tenant; to change that, classify it as medium or high.`,
          )
        : new ApiError(
            404,
            "permission_classification.not_found",
            `${resource.displayName} has no classification of "${permissionName}" in this tenant.`,
          );
    }
    await recordAudit(trx, {
      tenantId,
      activity: "Remove delegated permission classification",
      category: "ApplicationManagement",
      actor,
      targets: [{ type: "ServicePrincipal", id: resource.id, displayName: resource.displayName }],
      modifiedProperties: [
        { name: "PermissionName", oldValue: removed.scope_value, newValue: null },
        { name: "Classification", oldValue: removed.classification, newValue: null },
      ],
    });
  });
}

// Scope values and app ids are visible ASCII: anything else names nothing (and never reaches SQL).
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

export const unclassifyRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/policies/permissionClassifications/{resourceAppId}/{permissionName}",
  operationId: "removePermissionClassification",
  summary: "Remove the tenant's classification of a delegated permission",
  description:
    "Built-in defaults (Assent Mail's sign-in scopes are low impact) cannot be removed; classify them as medium or high instead.",
  tags: TAGS,
  permission: PERMISSIONS.writePermissionGrantPolicies,
  params: z.object({
    resourceAppId: z
      .string()
      .min(1)
      .max(512)
      .regex(VISIBLE_ASCII, "Give the resource's app id, as the list shows it.")
      .describe("The resource's app id (as listed)."),
    permissionName: z
      .string()
      .min(1)
      .max(120)
      .regex(VISIBLE_ASCII, "A permission's value has no spaces or control characters.")
      .describe("The delegated permission's value."),
  }),
  response: noContent,
  status: 204,
  errors: [
    {
      status: 404,
      code: "permission_classification.not_found",
      description: "The tenant has not classified that permission.",
    },
    {
      status: 409,
      code: "permission_classification.built_in",
      description: "A built-in default: classify it instead.",
    },
  ],
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const resource = await findResourceApplication(db, ctx.params.resourceAppId, {
      tenantId: ctx.caller.tenantId,
    });
    if (!resource)
      throw new ApiError(
        404,
        "application.not_found",
        `No resource "${ctx.params.resourceAppId}" is available in this tenant: give its app id.`,
      );
    await removeClassification(
      db,
      ctx.caller.tenantId,
      resource,
      ctx.params.permissionName,
      actorOf(ctx.caller),
    );
    return undefined;
  },
});

const grantPolicySchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    description: z.string().nullable(),
    includes: z.array(conditionSetSchema),
    excludes: z.array(conditionSetSchema),
    assignedToUsers: z
      .boolean()
      .describe("Whether every user may consent to what it allows (unless user consent is off)."),
  })
  .meta({ id: "PermissionGrantPolicy" });

type PolicyRow = Awaited<ReturnType<typeof listPermissionGrantPolicies>>[number];
type ConditionSetRow = PolicyRow["includes"][number];

function conditionView(c: ConditionSetRow): z.input<typeof conditionSetSchema> {
  const list = (l: "all" | readonly string[]) => (l === "all" ? "all" : [...l]);
  return {
    ...c,
    permissions: list(c.permissions),
    clientApplicationIds: list(c.clientApplicationIds),
    clientApplicationTenantIds: list(c.clientApplicationTenantIds),
  };
}

function policyView(p: PolicyRow): z.input<typeof grantPolicySchema> {
  return { ...p, includes: p.includes.map(conditionView), excludes: p.excludes.map(conditionView) };
}

export const listGrantPoliciesRoute = defineRoute({
  method: "GET",
  path: "/api/v1/policies/permissionGrantPolicies",
  operationId: "listPermissionGrantPolicies",
  summary: "The tenant's own permission grant policies",
  description: "The built-in policy of the user consent setting is in authorizationPolicy.",
  tags: TAGS,
  permission: PERMISSIONS.readPolicies,
  response: z.object({ value: z.array(grantPolicySchema) }),
  handler: async (ctx) => ({
    value: (await listPermissionGrantPolicies(ctx.deps.database.db, ctx.caller.tenantId)).map(
      policyView,
    ),
  }),
});

export const createGrantPolicyRoute = defineRoute({
  method: "POST",
  path: "/api/v1/policies/permissionGrantPolicies",
  operationId: "createPermissionGrantPolicy",
  summary: "Create a permission grant policy",
  description:
    "A permission passes when it matches an include condition set and no exclude set; left-out conditions match anything.",
  tags: TAGS,
  permission: PERMISSIONS.writePermissionGrantPolicies,
  body: z
    .object({
      id: z
        .string()
        .min(1)
        .max(64)
        .describe("Letters, digits, '-' and '_'; not assent- or microsoft-."),
      displayName: z.string().min(1).max(256),
      description: z.string().max(1024).optional(),
      includes: z.array(conditionSetSchema).min(1).max(50),
      excludes: z.array(conditionSetSchema).max(50).optional(),
      assignedToUsers: z.boolean().optional(),
    })
    .strict(),
  response: grantPolicySchema,
  status: 201,
  errors: [
    { status: 400, code: "permission_grant_policy.invalid", description: "Not a valid policy." },
    { status: 409, code: "permission_grant_policy.duplicate_id", description: "The id is taken." },
  ],
  handler: async (ctx) =>
    policyView(
      await createPermissionGrantPolicy(
        ctx.deps.database.db,
        ctx.caller.tenantId,
        ctx.body,
        actorOf(ctx.caller),
      ),
    ),
});

export const updateGrantPolicyRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/policies/permissionGrantPolicies/{id}",
  operationId: "updatePermissionGrantPolicy",
  summary: "Assign a permission grant policy to users, or take it away",
  tags: TAGS,
  permission: PERMISSIONS.writePermissionGrantPolicies,
  params: z.object({ id: z.string().min(1).max(64).describe("The policy's id.") }),
  body: z.object({ assignedToUsers: z.boolean() }).strict(),
  response: grantPolicySchema,
  errors: [
    { status: 404, code: "permission_grant_policy.not_found", description: "No such policy." },
  ],
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const { tenantId } = ctx.caller;
    await assignPermissionGrantPolicyToUsers(
      db,
      tenantId,
      ctx.params.id,
      ctx.body.assignedToUsers,
      actorOf(ctx.caller),
    );
    const policy = (await listPermissionGrantPolicies(db, tenantId)).find(
      (p) => p.id === ctx.params.id,
    );
    if (!policy) throw new Error("permission grant policy vanished after update");
    return policyView(policy);
  },
});

/** Consent policy operations (issue 7), beside the admin consent request policy (W1's). */
export const policyRoutes: AdminRoute[] = [
  getAuthorizationPolicyRoute,
  updateAuthorizationPolicyRoute,
  listClassificationsRoute,
  classifyRoute,
  unclassifyRoute,
  listGrantPoliciesRoute,
  createGrantPolicyRoute,
  updateGrantPolicyRoute,
];
