import { ApiError } from "../../platform/http/errors.ts";

/** RFC 6750 §3: error_description is printable ASCII without `"` and `\`. */
function quotable(text: string): string {
  return text.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, "");
}

const REALM = 'realm="assent-admin"';

/**
 * An ApiError that also carries the RFC 6750 §3 `WWW-Authenticate` challenge to answer with:
 * 401 for a missing or bad token, 403 `insufficient_scope` for a token without the permission.
 */
export class BearerChallenge extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly wwwAuthenticate: string,
    details?: unknown,
  ) {
    super(status, code, message, details);
  }
}

/** No credentials: a bare challenge, without an error code (RFC 6750 §3.1). */
export function authenticationRequired(): BearerChallenge {
  return new BearerChallenge(
    401,
    "authentication.required",
    "This API needs an access token for api://assent-admin: send Authorization: Bearer <token>.",
    `Bearer ${REALM}`,
  );
}

export function invalidToken(description: string): BearerChallenge {
  return new BearerChallenge(
    401,
    "authentication.invalid_token",
    `The access token was refused: ${description}`,
    `Bearer ${REALM}, error="invalid_token", error_description="${quotable(description)}"`,
  );
}

export function insufficientScope(
  message: string,
  scopes: readonly string[],
  details: unknown,
): BearerChallenge {
  return new BearerChallenge(
    403,
    "authorization.insufficient_scope",
    message,
    `Bearer ${REALM}, error="insufficient_scope", scope="${scopes.map((s) => `api://assent-admin/${s}`).join(" ")}"`,
    details,
  );
}
