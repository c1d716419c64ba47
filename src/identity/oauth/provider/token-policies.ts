import {
  type ClientInstance,
  errors,
  type KoaContextWithOIDC,
  type TokenLike,
} from "oidc-provider";

/**
 * Who may introspect a token (RFC 7662 section 4: the server decides): only the client it was
 * issued to. Access tokens for an API are JWTs the API verifies itself, so no other client
 * needs to look into another app's tokens.
 */
export async function introspectionAllowed(
  _ctx: KoaContextWithOIDC,
  client: ClientInstance,
  token: TokenLike,
): Promise<boolean> {
  return token.clientId === client.clientId;
}

/**
 * Who may revoke a token (RFC 7009 section 2.1: the server verifies the token was issued to
 * the client asking): only that client. A confidential client asking about another's token is
 * told so; for a public client the request is ignored, so it learns nothing.
 */
export async function revocationAllowed(
  _ctx: KoaContextWithOIDC,
  client: ClientInstance,
  token: TokenLike,
): Promise<boolean> {
  if (token.clientId === client.clientId) return true;
  if (client.clientAuthMethod === "none") return false;
  throw new errors.InvalidRequest("client is not authorized to revoke the presented token");
}

/**
 * Which browser origins may call the token, userinfo, introspection and revocation endpoints
 * (CORS): a single-page app (public client) from the origins of its redirect URIs, and any
 * client's page for userinfo likewise; confidential clients call from servers, not browsers.
 */
export function corsAllowed(
  ctx: KoaContextWithOIDC,
  origin: string,
  client: ClientInstance,
): boolean {
  if (origin === "null") return false;
  if (ctx.oidc.route !== "userinfo" && client.clientAuthMethod !== "none") return false;
  return client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin);
}
