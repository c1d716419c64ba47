export { resolveDestination } from "./destinations.ts";
export { webhookRoutes } from "./routes.ts";
