export { deleteGrant } from "./delete-grant.ts";
export { freshAccessToken, grantInvalid } from "./fresh-token.ts";
export {
  findGrant,
  type GrantUpsert,
  grantByAppRefreshToken,
  setAppRefreshToken,
  upsertGrant,
} from "./grant-queries.ts";
export { type Grant, grantView } from "./grant-view.ts";
export { grantRoutes } from "./routes.ts";
export { decryptToken, encryptToken } from "./token-crypto.ts";
