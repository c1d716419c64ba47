import {
  getAdminConsentRequestPolicy,
  updateAdminConsentRequestPolicy,
} from "../../consent-requests/index.ts";
import type { DirectoryRole } from "../../directory/index.ts";
import type { RoutePermission } from "../authorize.ts";
import { actorOf } from "../caller.ts";
import { type AdminRoute, defineRoute } from "../route.ts";
import { policySchema, policyUpdateSchema } from "./consent-request-schemas.ts";

// Entra: Cloud Application Administrator or Application Administrator (and above) configure the
// workflow; Global Reader may read it.
const POLICY_ADMINS: DirectoryRole[] = [
  "global_administrator",
  "privileged_role_administrator",
  "cloud_application_administrator",
  "application_administrator",
];
const READ: RoutePermission = {
  anyOf: ["Policy.ReadWrite.PermissionGrant", "ConsentRequest.ReadWrite.All", "Directory.Read.All"],
  directoryRoles: [...POLICY_ADMINS, "global_reader"],
};
const WRITE: RoutePermission = {
  anyOf: ["Policy.ReadWrite.PermissionGrant"],
  directoryRoles: POLICY_ADMINS,
};
const PATH = "/api/v1/policies/adminConsentRequestPolicy";
const TAGS = ["Admin consent requests"];

export const getPolicyRoute = defineRoute({
  method: "GET",
  path: PATH,
  operationId: "getAdminConsentRequestPolicy",
  summary: "The admin consent request policy (Graph adminConsentRequestPolicy)",
  tags: TAGS,
  permission: READ,
  response: policySchema,
  handler: async (ctx) => getAdminConsentRequestPolicy(ctx.deps.database.db, ctx.caller.tenantId),
});

export const updatePolicyRoute = defineRoute({
  method: "PUT",
  path: PATH,
  operationId: "updateAdminConsentRequestPolicy",
  summary: "Change the admin consent request policy",
  description:
    "Reviewers (users, groups, directory roles) must exist in the tenant; enabling the workflow needs at least one. Changes take effect on the very next request, and reviewers are resolved live everywhere.",
  tags: TAGS,
  permission: WRITE,
  body: policyUpdateSchema,
  response: policySchema,
  errors: [
    {
      status: 400,
      code: "consent_request_policy.reviewers_required",
      description: "Enabling needs at least one reviewer.",
    },
    {
      status: 400,
      code: "consent_request_policy.unknown_user",
      description: "A reviewer does not exist (also unknown_group, unknown_role).",
    },
  ],
  handler: async (ctx) =>
    updateAdminConsentRequestPolicy(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.body,
      actorOf(ctx.caller),
    ),
});

/** The admin consent request policy operations. */
export const consentRequestPolicyRoutes: AdminRoute[] = [getPolicyRoute, updatePolicyRoute];
