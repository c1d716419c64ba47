import type { AdminRoute } from "../route.ts";
import { auditLogRoutes } from "./audit-logs.ts";

/**
 * Every admin API operation, in the order the OpenAPI document lists them. A module adds its
 * routes by appending its list here.
 */
export const ADMIN_API_ROUTES: readonly AdminRoute[] = [...auditLogRoutes];
