import type { PortalApiError } from "../../api/client.ts";

/**
 * Which form field an API error is about, from its code (`user.weak_password` → "password"),
 * so the page can show it next to that field; undefined puts it under the form.
 */
export function fieldOf<F extends string>(
  error: PortalApiError | undefined,
  fields: Record<F, RegExp>,
): F | undefined {
  if (!error) return undefined;
  for (const [field, pattern] of Object.entries(fields) as Array<[F, RegExp]>)
    if (pattern.test(error.code)) return field;
  return undefined;
}
