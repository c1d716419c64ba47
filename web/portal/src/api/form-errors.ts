import { type FieldDetail, PortalApiError } from "./client.ts";

/**
 * How a form recognises an API error about one of its fields: by the body keys it posts
 * (`paths`, matched against a validation error's `details[].path`, `redirectUris.0` included
 * under `redirectUris`) and, for the API's named errors that carry no details, by their code
 * (`codes`: `user.weak_password` → the password field).
 */
export interface FieldRule {
  paths: readonly string[];
  codes?: RegExp;
}

export interface FormErrors<F extends string> {
  /** The message to show under `field`, if the error concerns it. */
  at(field: F): string | undefined;
  /** What no field claimed, for the top of the form: undefined when every part was placed. */
  general: PortalApiError | undefined;
}

function concerns(rule: FieldRule, path: string): boolean {
  return rule.paths.some((p) => path === p || path.startsWith(`${p}.`));
}

/**
 * Splits an API error between a form's fields. A validation error's details go to the fields
 * whose keys they name, and whatever is left (details about no field here) stays general. An
 * error without details goes to the field its code names, or to the field whose key its message
 * starts with (the API writes `homepageUrl must be an absolute http or https URL …`); otherwise
 * it is general, shown at the top.
 *
 * @example
 * const errors = formErrors(error, { displayName: { paths: ["displayName"], codes: /name/ } });
 * errors.at("displayName") // "An application name must be 1 to 256 characters long."
 */
export function formErrors<F extends string>(
  error: PortalApiError | undefined,
  rules: Record<F, FieldRule>,
): FormErrors<F> {
  const placed = new Map<F, string>();
  const entries = Object.entries(rules) as Array<[F, FieldRule]>;
  let general = error;
  if (error && error.details.length > 0) {
    const left: FieldDetail[] = [];
    for (const detail of error.details) {
      const field = entries.find(([, rule]) => concerns(rule, detail.path))?.[0];
      if (field === undefined) left.push(detail);
      else placed.set(field, [placed.get(field), detail.message].filter(Boolean).join(" "));
    }
    general =
      left.length === 0
        ? undefined
        : new PortalApiError(error.status, error.code, error.message, left);
  } else if (error) {
    const field =
      entries.find(([, rule]) => rule.codes?.test(error.code))?.[0] ??
      entries.find(([, rule]) => rule.paths.some((p) => error.message.startsWith(`${p} `)))?.[0];
    if (field !== undefined) {
      placed.set(field, error.message);
      general = undefined;
    }
  }
  return { at: (field) => placed.get(field), general };
}
