import type { FastifyRequest } from "fastify";
import { GraphError } from "../graph/graph-error.ts";
import type { AccessTokenVerifier } from "./access-token.ts";
import type { Caller } from "./caller.ts";
import { TokenRejected } from "./token-rejection.ts";

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token (the scheme is case-insensitive, RFC 9110 §11.1).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** RFC 6750 §3: error_description is limited to printable ASCII without `"` and `\`. */
function quotable(text: string): string {
  return text.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, "");
}

function invalidToken(description: string): GraphError {
  return new GraphError(401, "InvalidAuthenticationToken", description, {
    "www-authenticate": `Bearer realm="", error="invalid_token", error_description="${quotable(description)}"`,
  });
}

/** Resolves the request's caller from its bearer token, or throws the Graph error to answer with. */
export type Authenticate = (request: FastifyRequest) => Promise<Caller>;

/**
 * Bearer-token authentication for the Graph-shaped routes. A request without credentials gets
 * a bare challenge (RFC 6750 §3.1: no error code when no authentication was attempted); every
 * rejected token gets `error="invalid_token"` and a description of what was wrong.
 *
 * @example
 * const authenticate = createAuthenticator(createAccessTokenVerifier({ issuerBase }));
 * app.get("/v1.0/me", async (request) => profileOf(await authenticate(request)));
 */
export function createAuthenticator(verify: AccessTokenVerifier): Authenticate {
  return async (request) => {
    const header = request.headers.authorization;
    if (!header)
      throw new GraphError(401, "InvalidAuthenticationToken", "Access token is empty.", {
        "www-authenticate": 'Bearer realm=""',
      });
    const token = BEARER.exec(header)?.[1];
    if (!token)
      throw invalidToken('The Authorization header must be "Bearer" followed by an access token.');
    try {
      return await verify(token);
    } catch (error) {
      if (!(error instanceof TokenRejected)) throw error;
      request.log.info({ reason: error.description, cause: error.cause }, "access token rejected");
      if (error.status === 503)
        throw new GraphError(503, "ServiceNotAvailable", error.description, { "retry-after": "5" });
      throw invalidToken(error.description);
    }
  };
}
