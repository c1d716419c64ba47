import { randomBytes } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { hashSecret } from "../../platform/crypto/index.ts";
import { applicationOfApiKey, findApplication } from "../applications/index.ts";
import type { ConnectContext } from "../context.ts";
import {
  decryptToken,
  findGrant,
  freshAccessToken,
  type Grant,
  grantByAppRefreshToken,
  setAppRefreshToken,
} from "../grants/index.ts";
import { ConnectError, sendTokenError, TokenError } from "../http/errors.ts";
import { redeemAuthCode } from "./auth-codes.ts";
import { verifyPkce } from "./pkce.ts";

const field = z.string().min(1).max(2000);
const TokenBody = z.discriminatedUnion("grant_type", [
  z.object({
    grant_type: z.literal("authorization_code"),
    client_id: field,
    // The Nylas SDK sends an empty client_secret when it has no API key (PKCE only).
    client_secret: z
      .string()
      .max(2000)
      .optional()
      .transform((v) => v || undefined),
    code: field,
    redirect_uri: field,
    code_verifier: field.optional(),
  }),
  z.object({
    grant_type: z.literal("refresh_token"),
    client_id: field,
    client_secret: field,
    refresh_token: field,
  }),
]);

const invalidClient = () =>
  new TokenError(
    401,
    "invalid_client",
    "invalid_client",
    "Unknown client_id, or the client_secret is not an API key of this application.",
  );
const invalidGrant = (description: string) =>
  new TokenError(400, "invalid_grant", "invalid_grant", description);

/**
 * `POST /v3/connect/token` (JSON or form): Connect's code for a grant's tokens, or a Connect
 * refresh token for a fresh access token. The application authenticates with its API key as
 * `client_secret` (Nylas v3), or, for a code, with the PKCE verifier alone. The answer is Nylas's
 * token response: the provider's access token (refreshed when near expiry), the grant id, and a
 * Connect refresh token — the provider's refresh token never leaves Connect.
 */
export async function tokenEndpoint(
  ctx: ConnectContext,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  try {
    const parsed = TokenBody.safeParse(request.body ?? {});
    if (!parsed.success) {
      const grantType = (request.body as Record<string, unknown> | undefined)?.grant_type;
      if (
        typeof grantType === "string" &&
        grantType !== "authorization_code" &&
        grantType !== "refresh_token"
      )
        throw new TokenError(
          400,
          "unsupported_grant_type",
          "unsupported_grant_type",
          `grant_type "${grantType}" is not supported: use authorization_code or refresh_token.`,
        );
      const issue = parsed.error.issues[0];
      throw new TokenError(
        400,
        "invalid_request",
        "invalid_request",
        `${issue?.path.join(".") || "body"}: ${issue?.message}`,
      );
    }
    const body = parsed.data;
    const application = await findApplication(ctx.db, body.client_id);
    if (!application) throw invalidClient();
    if (
      body.client_secret &&
      (await applicationOfApiKey(ctx.db, body.client_secret)) !== application.id
    )
      throw invalidClient();
    let grant: Grant | undefined;
    let appRefreshToken: string;
    if (body.grant_type === "authorization_code") {
      const code = await redeemAuthCode(ctx.db, application.id, body.code);
      if (!code)
        throw invalidGrant(
          "The code is invalid, expired or already used: send the user through /v3/connect/auth again.",
        );
      if (code.redirect_uri !== body.redirect_uri)
        throw invalidGrant("redirect_uri is not the one the code was issued for.");
      if (code.code_challenge) {
        if (
          !body.code_verifier ||
          !verifyPkce(body.code_verifier, code.code_challenge, code.code_challenge_method)
        )
          throw invalidGrant("The code_verifier does not match the code_challenge (PKCE).");
      } else if (!body.client_secret) {
        throw invalidClient();
      }
      grant = await findGrant(ctx.db, application.id, code.grant_id);
      if (!grant) throw invalidGrant("The grant this code was for has been deleted.");
      appRefreshToken = `acr_${randomBytes(32).toString("base64url")}`;
      await setAppRefreshToken(ctx.db, grant.id, hashSecret(appRefreshToken));
    } else {
      grant = await grantByAppRefreshToken(ctx.db, application.id, hashSecret(body.refresh_token));
      if (!grant) throw invalidGrant("The refresh token is not valid for this application.");
      appRefreshToken = body.refresh_token;
    }
    let fresh: Awaited<ReturnType<typeof freshAccessToken>>;
    try {
      fresh = await freshAccessToken(ctx, grant);
    } catch (error) {
      if (error instanceof ConnectError && error.type === "invalid_grant")
        throw invalidGrant(error.message);
      throw error;
    }
    const expiresAt = fresh.grant.access_token_expires_at;
    const idToken = decryptToken(ctx.keyRing, fresh.grant, fresh.grant.id_token_enc);
    return reply.header("cache-control", "no-store").send({
      access_token: fresh.accessToken,
      token_type: "Bearer",
      expires_in: expiresAt
        ? Math.max(0, Math.floor((expiresAt.getTime() - ctx.now().getTime()) / 1000))
        : 3600,
      ...(idToken ? { id_token: idToken } : {}),
      refresh_token: appRefreshToken,
      scope: fresh.grant.scope.join(" "),
      grant_id: fresh.grant.id,
      email: fresh.grant.email,
      provider: fresh.grant.provider,
      request_id: request.id,
    });
  } catch (error) {
    if (error instanceof TokenError) return sendTokenError(request, reply, error);
    throw error;
  }
}
