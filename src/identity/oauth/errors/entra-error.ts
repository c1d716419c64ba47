import { errors } from "oidc-provider";
import { catalogEntry } from "../error-catalog.ts";

const CODE = Symbol("entraCode");

type Coded = { [CODE]?: number };

/**
 * Tags an error with its Entra-compatible code; the error writers (wire.ts) put the code on
 * the wire and the catalog text in error_description.
 *
 * @example
 * throw withEntraCode(new errors.InvalidGrant("authorization code already consumed"), 54005);
 */
export function withEntraCode<E extends Error>(error: E, code: number): E {
  (error as Coded)[CODE] = code;
  return error;
}

/** The code an error was tagged with, if any. */
export function entraCodeOf(error: unknown): number | undefined {
  return error && typeof error === "object" ? (error as Coded)[CODE] : undefined;
}

/**
 * An oidc-provider error carrying the code's catalog `error` value and an `AST<code>: ` message
 * (the prefix survives storage in an interaction result, so a code set on one node is read back
 * on another).
 *
 * @example
 * throw entraError(50105, `User is not assigned to "${app.displayName}".`);
 */
export function entraError(code: number, message?: string): errors.OIDCProviderError {
  const entry = catalogEntry(code);
  const description = `AST${code}: ${message ?? entry.message}`;
  return withEntraCode(new errors.CustomOIDCProviderError(entry.error, description), code);
}

/** Reads `AST<code>: ` back from a description. */
export function codeInDescription(description: unknown): number | undefined {
  if (typeof description !== "string") return undefined;
  const match = /^AST(\d{4,8}): /.exec(description);
  return match ? Number(match[1]) : undefined;
}

const BLOCKED_APP = Symbol("blockedApp");

/**
 * AADSTS7000112 for an app the organisation blocked (a reviewer chose "Block"), told apart from
 * one an administrator merely disabled: the user gets the blocked-app page (decorate.ts).
 */
export function blockedAppError(message: string): errors.OIDCProviderError {
  const error = entraError(7000112, message);
  (error as { [BLOCKED_APP]?: true })[BLOCKED_APP] = true;
  return error;
}

/** Whether the error is `blockedAppError`'s. */
export function isBlockedAppError(error: unknown): boolean {
  return Boolean(
    error && typeof error === "object" && (error as { [BLOCKED_APP]?: true })[BLOCKED_APP],
  );
}
