export { apiKeyAuth, applicationIdOf } from "./api-key-auth.ts";
export {
  API_KEY_PREFIX,
  addCallbackUri,
  applicationOfApiKey,
  type ConnectApplication,
  type CreatedApplication,
  checkCallbackUri,
  createConnectApplication,
  findApplication,
  insertApiKey,
  listCallbackUris,
  removeCallbackUri,
} from "./applications.ts";
export { applicationRoutes } from "./routes.ts";
