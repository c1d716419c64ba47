import { z } from "zod";
import type { ProviderName } from "../tables.ts";

/** The providers Connect speaks to, all over OAuth 2.0 / OpenID Connect. */
export const PROVIDERS = [
  "assent",
  "microsoft",
  "google",
] as const satisfies readonly ProviderName[];

// offline_access on every set so the grant can be refreshed (Nylas adds it to every set too),
// and the mail read scope on every set: a connected grant exists to read mail, and the message
// passthrough needs it (a default connector without it connected grants that could not).
// Microsoft never gets prompt=consent from Connect: it causes admin-consent loops.
export const DEFAULT_SCOPES: Record<ProviderName, string[]> = {
  assent: ["openid", "profile", "email", "offline_access", "Mail.Read"],
  microsoft: ["openid", "profile", "email", "offline_access", "Mail.Read"],
  google: ["openid", "profile", "email", "https://www.googleapis.com/auth/gmail.readonly"],
};

const httpUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ""));
const scopeList = z.array(z.string().min(1).max(500).regex(/^\S+$/)).max(50);

/** A connector's settings as an API caller writes them (snake_case, as Nylas). */
export const ConnectorSettingsInput = z
  .object({
    client_id: z.string().min(1).max(500),
    client_secret: z.string().min(1).max(2000).optional(),
    issuer: httpUrl.optional(),
    authority: httpUrl.optional(),
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,200}$/, "a tenant id, domain, common or organizations")
      .optional(),
    mail_api_url: httpUrl.optional(),
  })
  .strict();

export const CreateConnectorBody = z
  .object({
    provider: z.enum(PROVIDERS),
    name: z.string().max(200).optional(),
    settings: ConnectorSettingsInput,
    scope: scopeList.optional(),
  })
  .strict();

export const UpdateConnectorBody = z
  .object({
    name: z.string().max(200).optional(),
    settings: ConnectorSettingsInput.partial().optional(),
    scope: scopeList.optional(),
  })
  .strict();

/** What a provider requires beyond a client id. */
export function settingsProblem(
  provider: ProviderName,
  settings: z.infer<typeof ConnectorSettingsInput>,
): string | undefined {
  if (provider === "assent" && !settings.issuer)
    return "settings.issuer is required for provider assent (the OpenID Connect issuer URL).";
  if (provider !== "assent" && settings.issuer)
    return `settings.issuer is only for provider assent; ${provider} has fixed endpoints${provider === "microsoft" ? " (use settings.authority and settings.tenant)" : ""}.`;
  if (provider !== "microsoft" && (settings.authority || settings.tenant))
    return "settings.authority and settings.tenant are only for provider microsoft.";
  if (provider === "google" && !settings.client_secret)
    return "settings.client_secret is required for provider google.";
  return undefined;
}
