import { ApiError } from "../../platform/http/errors.ts";

import { isUuid } from "../../platform/ids.ts";
import { hasUnsafeNameCharacters } from "../../platform/text.ts";

export { isUuid };

// Entra's limits: display names up to 256 characters, permission values up to 120.
const MAX_DISPLAY_NAME = 256;
const MAX_VALUE = 120;
const MAX_DESCRIPTION = 1024;

export function normaliseAppName(input: string): string {
  const name = input.trim();
  if (name.length === 0 || name.length > MAX_DISPLAY_NAME)
    throw new ApiError(
      400,
      "application.invalid_name",
      `An application name must be 1 to ${MAX_DISPLAY_NAME} characters long.`,
    );
  if (hasUnsafeNameCharacters(name))
    throw new ApiError(
      400,
      "application.invalid_name",
      "An application name cannot contain control characters (such as line breaks) or text direction overrides (U+202A to U+202E, U+2066 to U+2069): remove them.",
    );
  return name;
}

/**
 * A permission value (scope or app role). RFC 6749 section 3.3 scope-token: printable ASCII
 * without space, `"` and `\`; Entra also refuses a leading dot (".default" is reserved) and "/"
 * would make `{resource}/{value}` ambiguous.
 */
export function normalisePermissionValue(input: string, code: string): string {
  const value = input.trim();
  if (
    value.length === 0 ||
    value.length > MAX_VALUE ||
    !/^[\x21\x23-\x2e\x30-\x5b\x5d-\x7e]+$/.test(value) ||
    value.startsWith(".")
  )
    throw new ApiError(
      400,
      code,
      `"${input}" is not a valid permission value: use up to ${MAX_VALUE} printable characters without spaces, quotes, "/" or "\\", not starting with ".".`,
    );
  return value;
}

export function normaliseText(input: string, code: string, what: string, required = true): string {
  const text = input.trim();
  if ((required && text.length === 0) || text.length > MAX_DESCRIPTION)
    throw new ApiError(
      400,
      code,
      `The ${what} must be ${required ? "1" : "0"} to ${MAX_DESCRIPTION} characters long.`,
    );
  return text;
}
