import type { AdminRoute } from "../route.ts";
import { applicationPermissionRoutes } from "./application-permissions.ts";
import { applicationRoutes } from "./applications.ts";
import { auditLogRoutes } from "./audit-logs.ts";
import { consentRequestPolicyRoutes } from "./consent-request-policy.ts";
import { consentRequestRoutes } from "./consent-requests.ts";
import { grantRoutes } from "./grants.ts";
import { groupRoutes } from "./groups.ts";
import { meRoutes } from "./me.ts";
import { notificationRoutes } from "./notifications.ts";
import { policyRoutes } from "./policies.ts";
import { roleRoutes } from "./roles.ts";
import { servicePrincipalRoutes } from "./service-principals.ts";
import { userRoutes } from "./users.ts";
import { webhookEndpointRoutes } from "./webhook-endpoints.ts";

/**
 * Every admin API operation, in the order the OpenAPI document lists them. A module adds its
 * routes by appending its list here.
 */
export const ADMIN_API_ROUTES: readonly AdminRoute[] = [
  ...meRoutes,
  ...auditLogRoutes,
  ...consentRequestPolicyRoutes,
  ...consentRequestRoutes,
  ...webhookEndpointRoutes,
  ...notificationRoutes,
  ...userRoutes,
  ...groupRoutes,
  ...roleRoutes,
  ...applicationRoutes,
  ...applicationPermissionRoutes,
  ...servicePrincipalRoutes,
  ...grantRoutes,
  ...policyRoutes,
];
