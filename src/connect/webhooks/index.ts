export { destinationSecretContext, resolveDestination } from "./destinations.ts";
export { webhookRoutes } from "./routes.ts";
