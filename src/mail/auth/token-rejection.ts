import { errors } from "jose";

/**
 * Why an access token was not accepted. `status` 401 means the token is at fault (RFC 6750
 * §3.1 `invalid_token`); 503 means the issuer's keys could not be had, which is not the
 * caller's fault and worth a retry.
 */
export class TokenRejected extends Error {
  override name = "TokenRejected";
  constructor(
    readonly description: string,
    readonly status: 401 | 503 = 401,
  ) {
    super(description);
  }
}

/** The issuer's JWKS endpoint failed (network, timeout, 5xx). */
export class IssuerUnavailable extends Error {
  override name = "IssuerUnavailable";
}

const AUDIENCE_NAME = "Assent Mail (api://assent-mail)";

function claimFailure(e: errors.JWTClaimValidationFailed, issuer: string): string {
  if (e.reason === "missing") return `The access token has no ${e.claim} claim.`;
  switch (e.claim) {
    case "iss":
      return `The token's issuer is not the issuer of its tenant (expected ${issuer}).`;
    case "aud":
      return `Invalid audience: the token is not for ${AUDIENCE_NAME}.`;
    case "nbf":
      return "The token is not yet valid (nbf is in the future).";
    case "typ":
      return "The token is not an access token: its typ must be at+jwt (RFC 9068 section 4).";
    default:
      return `The token's ${e.claim} claim is not valid.`;
  }
}

/** Maps what jose (or the key fetch) threw to the rejection the caller is told about. */
export function rejectionOf(
  error: unknown,
  context: { issuer: string; kid?: string },
): TokenRejected {
  if (error instanceof TokenRejected) return error;
  if (error instanceof IssuerUnavailable || error instanceof errors.JWKSTimeout)
    return new TokenRejected(
      "The signing keys of the token's issuer could not be fetched. Try again shortly.",
      503,
    );
  if (error instanceof errors.JWTExpired)
    return new TokenRejected("Lifetime validation failed: the token is expired.");
  if (error instanceof errors.JWTClaimValidationFailed)
    return new TokenRejected(claimFailure(error, context.issuer));
  if (error instanceof errors.JWKSNoMatchingKey)
    return new TokenRejected(
      `The token's signing key (kid ${context.kid ?? "(none given)"}) is not among the keys its issuer publishes.`,
    );
  if (error instanceof errors.JWKSMultipleMatchingKeys)
    return new TokenRejected("The token's header matches more than one of the issuer's keys.");
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new TokenRejected("Signature validation failed: the token's signature is invalid.");
  if (error instanceof errors.JOSEAlgNotAllowed)
    return new TokenRejected("The token's signing algorithm is not accepted: use RS256 or ES256.");
  if (
    error instanceof errors.JWKSInvalid ||
    (error as errors.JOSEError).code === "ERR_JOSE_GENERIC"
  )
    // jose's "Expected 200 OK" from the JWKS endpoint: no such tenant at the trusted issuer.
    return new TokenRejected(
      `The token's issuer (${context.issuer}) does not publish signing keys: the tenant is unknown there.`,
    );
  return new TokenRejected("The access token is malformed.");
}
