/**
 * Every Entra-compatible error code Assent emits, with what it means to the people who meet
 * it. Apps written for Microsoft's identity platform branch on these numbers, so the numbers
 * keep Entra's meaning (docs: "Microsoft Entra authentication and authorization error codes");
 * the texts are Assent's own. `GET /error?code=N` renders an entry; `error_uri` points there.
 */
export interface CatalogEntry {
  /** The OAuth `error` value used when Assent raises this code itself. */
  error: string;
  /** Short name, as Entra names the code (e.g. "InvalidClientSecretExpiredKeysProvided"). */
  name: string;
  /** The message after `AST<code>: ` in error_description. */
  message: string;
  cause: string;
  userFix: string;
  adminFix: string;
  /** MSAL reads `suberror` to decide whether user interaction can fix the failure. */
  suberror?: string;
}

const ASK_ADMIN = "Contact your administrator with the troubleshooting details below.";
const DEVELOPER = "The application's developer must fix the request; nothing an end user can do.";

export const ERROR_CATALOG: Readonly<Record<number, CatalogEntry>> = {
  50000: {
    error: "server_error",
    name: "ServerError",
    message: "There was an error issuing a token or an issue with the sign-in service.",
    cause: "Something failed inside Assent while handling the request.",
    userFix: "Try again in a moment. If it keeps failing, contact your administrator.",
    adminFix: "Find the request id in the server logs; the log entry carries the cause.",
  },
  50011: {
    error: "invalid_request",
    name: "InvalidReplyTo",
    message:
      "The redirect URI in the request does not match the redirect URIs configured for the application.",
    cause: "The app asked Assent to send the result to an address its registration does not list.",
    userFix: DEVELOPER,
    adminFix:
      "Add the exact redirect URI (scheme, host, port, path) to the app registration, or fix the app.",
  },
  50013: {
    error: "invalid_token",
    name: "InvalidAssertion",
    message:
      "The access token is invalid: expired, revoked, malformed or not meant for this endpoint.",
    cause: "The presented token could not be accepted.",
    userFix: "Sign in again.",
    adminFix:
      "Check that the app sends an unexpired access token issued by this tenant for this endpoint.",
  },
  50034: {
    error: "invalid_grant",
    name: "UserAccountNotFound",
    message: "The user account does not exist in the directory.",
    cause: "Someone tried to sign in with a user name that the tenant does not have.",
    userFix: "Check the user name (it usually looks like an email address) and try again.",
    adminFix: "Create the user, or tell them which user name to use.",
  },
  50053: {
    error: "invalid_grant",
    name: "IdsLocked",
    message:
      "The account is temporarily locked because of too many sign-in attempts with a wrong user name or password.",
    cause: "Repeated failed sign-ins for this account or from this network address.",
    userFix: "Wait a few minutes, then sign in again with the right password.",
    adminFix:
      "Look at the sign-in log for the failures; the lock lifts by itself after the window.",
  },
  50057: {
    error: "invalid_grant",
    name: "UserDisabled",
    message: "The user account is disabled.",
    cause: "An administrator has blocked sign-in for this user.",
    userFix: ASK_ADMIN,
    adminFix: "Enable the user if they should be able to sign in.",
  },
  50058: {
    error: "login_required",
    name: "UserInformationNotProvided",
    message: "A silent sign-in request was sent but no user is signed in.",
    cause: "The app asked for prompt=none and the browser has no session with Assent.",
    userFix: "Sign in to the app again.",
    adminFix: "Nothing to do: the app must fall back to an interactive sign-in.",
  },
  50089: {
    error: "invalid_request",
    name: "FlowTokenExpired",
    message:
      "The sign-in request expired or could not be verified. Go back to the application and sign in again.",
    cause:
      "The sign-in page was left open too long, was submitted twice, or the form did not come from this sign-in page.",
    userFix: "Go back to the application and start signing in again.",
    adminFix:
      "Nothing to do unless it happens to many users: then check that every node shares the same database and secret key.",
  },
  50105: {
    error: "access_denied",
    name: "EntitlementGrantsNotFound",
    message: "The signed in user is not assigned to a role for the application.",
    cause:
      "The enterprise app requires assignment and the user is not assigned, directly or through a group.",
    userFix: ASK_ADMIN,
    adminFix:
      'Assign the user (or one of their groups) to the enterprise app, or turn off "Assignment required".',
  },
  50126: {
    error: "invalid_grant",
    name: "InvalidUserNameOrPassword",
    message: "Invalid user name or password.",
    cause: "The password does not match the user's password.",
    userFix: "Check your password and try again.",
    adminFix: "Reset the user's password if they no longer know it.",
  },
  50148: {
    error: "invalid_grant",
    name: "CodeVerifierMismatch",
    message:
      "The code_verifier does not match the code_challenge supplied in the authorization request (PKCE).",
    cause:
      "The token request's code_verifier is missing or is not the one the code_challenge was made from.",
    userFix: DEVELOPER,
    adminFix:
      "The app must send the code_verifier it generated for this authorization request (RFC 7636).",
  },
  50173: {
    error: "invalid_grant",
    name: "FreshTokenNeeded",
    message: "The provided grant has expired due to it being revoked; a fresh sign-in is needed.",
    cause:
      "The refresh token or its grant was revoked, for example after a refresh token was reused.",
    userFix: "Sign in again.",
    adminFix:
      "If you did not revoke access, look for refresh-token reuse (a stolen token) in the sign-in log.",
    suberror: "bad_token",
  },
  54005: {
    error: "invalid_grant",
    name: "AuthCodeAlreadyRedeemed",
    message: "The authorization code was already redeemed; its grant has been revoked.",
    cause: "The same authorization code was sent twice (a replay, or two concurrent requests).",
    userFix: "Sign in to the app again.",
    adminFix:
      "The app must redeem each code once; tokens issued from the code were revoked as a precaution.",
  },
  65001: {
    // Raised by Assent itself only at the token endpoint, where Entra and MSAL use invalid_grant
    // with suberror consent_required; at /authorize (prompt=none) oidc-provider's own
    // consent_required error carries the code.
    error: "invalid_grant",
    name: "DelegationDoesNotExist",
    message:
      "The user or administrator has not consented to use the application. Send an interactive authorization request.",
    cause: "No grant covers the requested permissions.",
    userFix: "Sign in interactively and review the permissions.",
    adminFix: "Grant admin consent for the app if users may not consent themselves.",
    suberror: "consent_required",
  },
  65004: {
    error: "access_denied",
    name: "UserDeclinedConsent",
    message: "The user declined to consent to access the app, or cancelled the sign-in.",
    cause: "The user chose not to continue.",
    userFix: "Try again and continue if you want to use the app.",
    adminFix: "Nothing to do.",
  },
  70000: {
    error: "invalid_grant",
    name: "InvalidGrant",
    message: "The provided grant is invalid or malformed.",
    cause:
      "The code, refresh token or other grant does not belong to this client or is not valid here.",
    userFix: "Sign in again.",
    adminFix: "Check that the app redeems its own codes and tokens at the tenant that issued them.",
  },
  70003: {
    error: "unsupported_grant_type",
    name: "UnsupportedGrantType",
    message: "The app requested an unsupported grant type.",
    cause:
      "Assent supports authorization_code, refresh_token and client_credentials (no implicit, no password).",
    userFix: DEVELOPER,
    adminFix:
      "Use the authorization code flow with PKCE, or client credentials for app-only access.",
  },
  70005: {
    error: "unsupported_response_type",
    name: "UnsupportedResponseType",
    message:
      "The response_type is not supported: only the authorization code flow (response_type=code) is enabled.",
    cause: "The app asked for an implicit or hybrid response type.",
    userFix: DEVELOPER,
    adminFix: "Change the app to response_type=code with PKCE.",
  },
  70008: {
    error: "invalid_grant",
    name: "ExpiredOrRevokedGrant",
    message: "The provided authorization code or refresh token has expired or was revoked.",
    cause: "The code or refresh token is past its lifetime, or was revoked.",
    userFix: "Sign in again.",
    adminFix: "Nothing to fix unless it happens soon after sign-in: then check the server clocks.",
    suberror: "bad_token",
  },
  70011: {
    error: "invalid_scope",
    name: "InvalidScope",
    message: "The provided value for the input parameter 'scope' is not valid.",
    cause: "The scope names a permission the resource does not expose, or is malformed.",
    userFix: DEVELOPER,
    adminFix: "Check the resource's exposed permissions and the app's scope parameter.",
  },
  28000: {
    error: "invalid_scope",
    name: "InvalidScopeMultipleResources",
    message:
      "The scope parameter names more than one resource; request tokens for one resource at a time.",
    cause: "The requested scopes belong to several resources (APIs).",
    userFix: DEVELOPER,
    adminFix: "The app must request scopes of a single resource per token request.",
  },
  90002: {
    error: "invalid_tenant",
    name: "InvalidTenantName",
    message:
      "Tenant not found. The tenant may not exist, may be disabled, or the sign-in address is wrong.",
    cause: "The tenant in the URL (id, name or domain) matches no enabled tenant.",
    userFix: "Check the address you were given, or ask your administrator.",
    adminFix:
      "Check the tenant id or verified domain in the app's authority URL, and that the tenant is enabled.",
  },
  90093: {
    error: "access_denied",
    name: "GraphUserUnauthorized",
    message: "You are not authorized to grant one or more of the requested permissions.",
    cause:
      "The consent form asked for permissions the tenant's policy does not let this user grant, or it was changed after the page was shown.",
    userFix:
      "Go back to the application and sign in again; ask an administrator if the app needs more.",
    adminFix:
      "Grant the permissions for the organization (admin consent), or change the user consent settings.",
  },
  90094: {
    error: "access_denied",
    name: "AdminConsentRequired",
    message:
      "The application needs permission to access resources in your organization that only an administrator can grant.",
    cause:
      "The tenant's user consent settings do not let users consent to these permissions, and requests for approval are off.",
    userFix: "Ask an administrator to grant the application permission, then sign in again.",
    adminFix:
      "Review the app; if it should have access, grant admin consent for the organization (/{tenant}/v2.0/adminconsent), or turn on the admin consent workflow so users can ask.",
  },
  90095: {
    error: "access_denied",
    name: "AdminConsentRequiredRequestAccess",
    message: "An administrator must approve this application before you can use it.",
    cause:
      "The user cannot consent to the permissions the application asks for, and the organization reviews such apps through the admin consent workflow.",
    userFix: "Request approval from the sign-in page, or ask an administrator, then sign in again.",
    adminFix:
      "Review the request; approving it grants the app its permissions for the organization.",
  },
  500011: {
    error: "invalid_request",
    name: "InvalidResourceServicePrincipalNotFound",
    message: "The resource principal named in the scope was not found in the tenant.",
    cause:
      "The scope refers to an API (resource) that does not exist or is not available in this tenant.",
    userFix: DEVELOPER,
    adminFix:
      "Check the resource's Application ID URI in the scope (for example api://assent-mail/Mail.Read).",
  },
  650053: {
    error: "invalid_scope",
    name: "ScopeDoesNotExistOnResource",
    message: "The application asked for a scope that does not exist on the resource.",
    cause: "The scope names a permission the resource (API) does not expose, or has disabled.",
    userFix: DEVELOPER,
    adminFix: "Compare the app's scope parameter with the permissions the resource exposes.",
  },
  700016: {
    error: "unauthorized_client",
    name: "UnauthorizedClient_DoesNotMatchRequest",
    message:
      "The application was not found in the directory. It may not be registered, or is single-tenant and registered in another tenant.",
    cause:
      "The client_id is unknown here, or names a single-tenant app of another tenant, or (for an app-only token) another publisher's app that has no enterprise app in this tenant yet.",
    userFix: ASK_ADMIN,
    adminFix:
      "Check the client id; make the app multi-tenant if users of other tenants must sign in to it; for a daemon of another publisher, grant it admin consent here first.",
  },
  700020: {
    error: "interaction_required",
    name: "InteractionRequired",
    message: "The access grant requires interaction.",
    cause: "The request cannot be completed without the user.",
    userFix: "Sign in interactively.",
    adminFix: "Nothing to do: the app must fall back to an interactive request.",
  },
  700025: {
    error: "invalid_client",
    name: "InvalidClientPublicClientWithCredential",
    message:
      "The client is public, so neither 'client_assertion' nor 'client_secret' should be presented.",
    cause: "A public client (mobile, desktop, single-page app) sent a client secret.",
    userFix: DEVELOPER,
    adminFix: "Remove the secret from the app, or register the app as a confidential client.",
  },
  1002012: {
    error: "invalid_scope",
    name: "InvalidScopeForClientCredentials",
    message:
      "The scope of a client credentials request must be the resource's identifier followed by '/.default'.",
    cause:
      "An app-only token carries the application permissions granted to the app, never a list of scopes.",
    userFix: DEVELOPER,
    adminFix: "Request scope={resource}/.default, for example api://assent-mail/.default.",
  },
  7000112: {
    error: "unauthorized_client",
    name: "UnauthorizedClientApplicationDisabled",
    message: "The application is disabled in this tenant.",
    cause: 'The enterprise app\'s "Enabled for users to sign in?" is No.',
    userFix: ASK_ADMIN,
    adminFix: "Enable the enterprise app if users should be able to sign in to it.",
  },
  7000215: {
    error: "invalid_client",
    name: "InvalidClientSecretProvided",
    message: "Invalid client secret provided. Send the secret's value, not its id.",
    cause: "The client secret does not match any secret of the application.",
    userFix: DEVELOPER,
    adminFix: "Create a new client secret for the app and configure the app with its value.",
  },
  7000218: {
    error: "invalid_client",
    name: "InvalidClientCredentialRequired",
    message:
      "The request body must contain the 'client_secret' parameter (or an Authorization header) for a confidential client.",
    cause: "A confidential client did not authenticate.",
    userFix: DEVELOPER,
    adminFix: "Configure the app with a client secret, or register it as a public client.",
  },
  7000222: {
    error: "invalid_client",
    name: "InvalidClientSecretExpiredKeysProvided",
    message: "The provided client secret keys are expired. Create new keys for the app.",
    cause: "The presented client secret is one of the app's secrets, but it has expired.",
    userFix: DEVELOPER,
    adminFix: "Add a new client secret to the app registration and configure the app with it.",
  },
  900144: {
    error: "invalid_request",
    name: "InvalidRequestParameter",
    message: "The request is missing a required parameter.",
    cause: "A parameter the protocol requires was not sent.",
    userFix: DEVELOPER,
    adminFix: "Check the request against the OAuth 2.0 / OpenID Connect specification.",
  },
  9002313: {
    error: "invalid_request",
    name: "InvalidRequest",
    message: "Invalid request: it is malformed or invalid.",
    cause: "A parameter has a value the protocol does not allow.",
    userFix: DEVELOPER,
    adminFix: "Check the request against the OAuth 2.0 / OpenID Connect specification.",
  },
  9002325: {
    error: "invalid_request",
    name: "PkceRequired",
    message: "Proof Key for Code Exchange (PKCE, S256) is required for this client.",
    cause: "A public client sent an authorization request without code_challenge.",
    userFix: DEVELOPER,
    adminFix: "Send code_challenge with code_challenge_method=S256 (RFC 7636); 'plain' is refused.",
  },
};

/** The catalog entry for a code, or the server-error entry for an unknown one. */
export function catalogEntry(code: number): CatalogEntry {
  return ERROR_CATALOG[code] ?? (ERROR_CATALOG[50000] as CatalogEntry);
}
