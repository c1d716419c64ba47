import { z } from "zod";
import { isConsentAdministrator } from "../../consent/index.ts";
import { getAdminConsentRequestPolicy } from "../../consent-requests/index.ts";
import { resolveViewer } from "../../consent-requests/viewer.ts";
import { directoryRoleName, getTenant, getUser } from "../../directory/index.ts";
import { permits, type RoutePermission } from "../authorize.ts";
import { type AdminRoute, defineRoute } from "../route.ts";
import { PERMISSIONS } from "./admin-common.ts";
import { READ_LOGS } from "./audit-logs.ts";
import { getPolicyRoute, updatePolicyRoute } from "./consent-request-policy.ts";
import { approveConsentRequestRoute } from "./consent-requests.ts";
import { classifyRoute, updateAuthorizationPolicyRoute } from "./policies.ts";
import { createWebhookEndpointRoute, listWebhookEndpointsRoute } from "./webhook-endpoints.ts";

/**
 * GET /api/v1/me: who is signed in and what they may do, so the portal shows only the actions
 * that will succeed. Each capability is the permission of the route that performs it (the very
 * object the route is declared with), checked as `authorize` checks it: no second copy of the
 * rules. Consent request decisions add what the workflow's service checks live: being a
 * reviewer now, and (to approve) a role that may grant delegated permissions for everyone.
 */

/** Capability name → the permission of the routes it stands for. */
const ROUTE_CAPABILITIES = {
  "directory.read": PERMISSIONS.readDirectory,
  "directory.write": PERMISSIONS.writeDirectory,
  "roles.write": PERMISSIONS.writeRoles,
  "applications.write": PERMISSIONS.writeApplications,
  "assignments.write": PERMISSIONS.writeAssignments,
  "grants.write": PERMISSIONS.writeGrants,
  /** User consent settings (authorization policy). */
  "consentPolicy.write": updateAuthorizationPolicyRoute.permission,
  /** The admin consent workflow's settings (reviewers, notifications, duration). */
  "consentRequestPolicy.write": updatePolicyRoute.permission,
  "permissionClassifications.write": classifyRoute.permission,
  "policies.read": PERMISSIONS.readPolicies,
  "webhooks.read": listWebhookEndpointsRoute.permission,
  "webhooks.write": createWebhookEndpointRoute.permission,
  "logs.read": READ_LOGS,
} satisfies Record<string, RoutePermission>;

export const CAPABILITIES = [
  ...(Object.keys(ROUTE_CAPABILITIES) as Array<keyof typeof ROUTE_CAPABILITIES>),
  "consentRequests.read",
  "consentRequests.decide",
  "consentRequests.approve",
] as const;
export type Capability = (typeof CAPABILITIES)[number];

const meSchema = z
  .object({
    kind: z.enum(["user", "application"]),
    id: z.string().describe("The user's object id, or the calling service principal's."),
    userPrincipalName: z.string().nullable(),
    displayName: z.string().nullable(),
    organization: z
      .object({ id: z.string(), displayName: z.string() })
      .describe(
        "The caller's organization (tenant): what Entra's portal names in \"Grant admin consent for {organization}\".",
      ),
    directoryRoles: z
      .array(z.object({ id: z.string(), displayName: z.string() }))
      .describe("The user's directory roles now (empty for an application)."),
    isConsentRequestReviewer: z
      .boolean()
      .describe("Whether the caller reviews admin consent requests now."),
    capabilities: z
      .array(z.enum(CAPABILITIES))
      .describe(
        "What the caller may do now, each computed from the permission of the routes it stands for. consentRequests.approve: a reviewer whose roles may grant delegated permissions for the organization (a request's own viewer field is exact per request).",
      ),
    requiredRoles: z
      .record(z.string(), z.array(z.string()))
      .describe(
        "For each role-bound capability, the directory roles (display names) that grant it: what a user interface names when an action is not available.",
      ),
  })
  .meta({ id: "Me" });

export const getMeRoute = defineRoute({
  method: "GET",
  path: "/api/v1/me",
  operationId: "getMe",
  summary: "The signed-in user, their directory roles and what they may do",
  description:
    "For user interfaces: show only the actions that will succeed. The API enforces the same rules on every call; roles are read now, not from the token.",
  tags: ["Me"],
  // Any admin API permission: the answer is about the caller only.
  permission: {
    anyOf: [
      ...new Set(
        [...Object.values(ROUTE_CAPABILITIES), approveConsentRequestRoute.permission].flatMap(
          (p) => p.anyOf,
        ),
      ),
    ],
    directoryRoles: "checked_by_route",
  },
  response: meSchema,
  async handler({ caller, deps }) {
    const { db } = deps.database;
    const policy = await getAdminConsentRequestPolicy(db, caller.tenantId);
    const viewer = await resolveViewer(
      db,
      caller.tenantId,
      caller.kind === "application"
        ? {
            kind: "application",
            servicePrincipalId: caller.servicePrincipalId,
            appId: caller.appId,
          }
        : { kind: "user", userId: caller.userId },
      policy.isEnabled ? policy.reviewers : [],
    );
    const held = caller.kind === "delegated" ? caller.directoryRoles : [];
    const granted = new Set<Capability>(
      (Object.entries(ROUTE_CAPABILITIES) as Array<[Capability, RoutePermission]>)
        .filter(([, permission]) => permits(caller, held, permission))
        .map(([name]) => name),
    );
    // Reading requests: reviewers, and whoever may read the workflow's policy (administrators
    // and Global Reader; the service lets any role holder read them, but a Reports Reader's
    // portal is the logs).
    const decides =
      permits(caller, held, approveConsentRequestRoute.permission) && viewer.isReviewer;
    if (decides || permits(caller, held, getPolicyRoute.permission))
      granted.add("consentRequests.read");
    if (decides) granted.add("consentRequests.decide");
    if (decides && (caller.kind === "application" || isConsentAdministrator(held)))
      granted.add("consentRequests.approve");
    const user =
      caller.kind === "delegated" ? await getUser(db, caller.tenantId, caller.userId) : undefined;
    const tenant = await getTenant(db, caller.tenantId);
    return {
      kind: caller.kind === "delegated" ? ("user" as const) : ("application" as const),
      id: caller.kind === "delegated" ? caller.userId : caller.servicePrincipalId,
      userPrincipalName: user?.userPrincipalName ?? null,
      displayName: user?.displayName ?? caller.appId ?? null,
      organization: { id: caller.tenantId, displayName: tenant?.displayName ?? caller.tenantId },
      directoryRoles: held.map((id) => ({
        id,
        displayName: directoryRoleName(id),
      })),
      isConsentRequestReviewer: viewer.isReviewer,
      capabilities: CAPABILITIES.filter((c) => granted.has(c)),
      requiredRoles: Object.fromEntries(
        Object.entries(ROUTE_CAPABILITIES).flatMap(([name, p]) =>
          p.directoryRoles === "checked_by_route"
            ? []
            : [[name, p.directoryRoles.map(directoryRoleName)]],
        ),
      ),
    };
  },
});

/** The caller's own profile and capabilities. */
export const meRoutes: AdminRoute[] = [getMeRoute];
