import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";

/**
 * Assent's configuration: one zod-validated, frozen object read once from the environment
 * (and, when `ASSENT_CONFIG_FILE` names one, a JSON file whose keys are the same variable names;
 * the environment wins). Every option is documented in docs/configuration.md.
 */

const port = z.coerce.number().int().min(0).max(65535);
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const url = z.url({ protocol: /^https?$/ });

export const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ASSENT_DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  ASSENT_HOST: z.string().min(1).default("127.0.0.1"),
  ASSENT_IDENTITY_PORT: port.default(4000),
  ASSENT_CONNECT_PORT: port.default(4100),
  ASSENT_MAIL_PORT: port.default(4200),
  ASSENT_MAIL_SMTP_PORT: port.default(2525),
  ASSENT_DEMO_PORT: port.default(4300),
  /** Public base URL of the Identity service; the issuer of tenant T is `${base}/${T}/v2.0`. */
  ASSENT_IDENTITY_URL: url.optional(),
  ASSENT_CONNECT_URL: url.optional(),
  ASSENT_MAIL_URL: url.optional(),
  /** Public base URL of the demo app ("Northwind CRM") that `assent start` runs. */
  ASSENT_DEMO_URL: url.optional(),
  /** Base URL of the issuers whose access tokens Mail accepts; defaults to ASSENT_IDENTITY_URL's value. */
  ASSENT_MAIL_TRUSTED_ISSUER_BASE: url.optional(),
  /** After fetching an issuer's keys, how long an unknown `kid` waits before the keys are fetched again. */
  ASSENT_MAIL_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
  /** 10 MiB: ample for notification mail; larger messages are refused (552) at the SMTP intake. */
  ASSENT_MAIL_SMTP_MAX_BYTES: z.coerce.number().int().min(1024).default(10_485_760),
  /** The loopback-only mailbox page; defaults to on outside production. */
  ASSENT_MAIL_MAILBOX_PAGE: bool.optional(),
  ASSENT_TRUST_PROXY: bool.default(false),
  /**
   * How many admin consent requests one user may submit in 15 minutes (for any apps) before
   * further ones are refused for 15 minutes; 0 turns the limit off.
   */
  ASSENT_CONSENT_REQUESTS_PER_USER: z.coerce.number().int().min(0).default(10),
  /** 32 bytes, base64 or hex: the key that encrypts secrets at rest (AES-256-GCM). */
  ASSENT_SECRET_KEY: z.string().optional(),
  /** Earlier keys, comma-separated, still accepted for decryption during rotation. */
  ASSENT_SECRET_KEY_PREVIOUS: z.string().optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional(),
  SMTP_FROM: z.string().default("Assent <no-reply@assent.localhost>"),
  ASSENT_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  ASSENT_PROVIDER_CACHE_SIZE: z.coerce.number().int().min(1).default(500),
  /** Whether this node runs Identity's background worker (outbox: email, webhooks, expiry). */
  ASSENT_JOBS: bool.default(true),
  ASSENT_JOBS_POLL_MS: z.coerce.number().int().min(10).default(1000),
  /** Delay before a failed job's second attempt; it doubles up to ASSENT_JOBS_RETRY_CAP_MS. */
  ASSENT_JOBS_RETRY_BASE_MS: z.coerce.number().int().min(10).default(10_000),
  ASSENT_JOBS_RETRY_CAP_MS: z.coerce.number().int().min(10).default(3_600_000),
});

type Raw = z.infer<typeof configSchema>;

export interface Config {
  readonly env: Raw["NODE_ENV"];
  readonly logLevel: Raw["LOG_LEVEL"];
  readonly dataDir: string;
  readonly database:
    | { readonly kind: "pglite"; readonly dataDir: string }
    | { readonly kind: "postgres"; readonly url: string; readonly poolMax: number };
  readonly host: string;
  readonly identity: { readonly port: number; readonly publicUrl: string };
  readonly connect: { readonly port: number; readonly publicUrl: string };
  readonly mail: {
    readonly port: number;
    readonly smtpPort: number;
    readonly publicUrl: string;
    /** Issuer of tenant T is `${trustedIssuerBase}/${T}/v2.0`. */
    readonly trustedIssuerBase: string;
    readonly jwksCooldownMs: number;
    readonly smtpMaxBytes: number;
    readonly mailboxPage: boolean;
  };
  /** The demo app (`assent start` only, never a deployable service). */
  readonly demo: { readonly port: number; readonly publicUrl: string };
  readonly trustProxy: boolean;
  readonly secretKey: string | undefined;
  readonly previousSecretKeys: readonly string[];
  readonly smtp: { readonly url: string; readonly from: string } | undefined;
  readonly smtpFrom: string;
  readonly shutdownTimeoutMs: number;
  readonly providerCacheSize: number;
  /** Admin consent requests one user may submit per 15 minutes (0: unlimited). */
  readonly consentRequestsPerUser: number;
  /** The background worker on this node: on/off, idle poll, and the retry backoff. */
  readonly jobs: {
    readonly enabled: boolean;
    readonly pollMs: number;
    readonly backoff: { readonly baseMs: number; readonly capMs: number };
  };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

function readFileConfig(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`ASSENT_CONFIG_FILE: cannot read ${path} (${(error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`ASSENT_CONFIG_FILE: ${path} is not valid JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`ASSENT_CONFIG_FILE: ${path} must hold a JSON object of VARIABLE: value`);
  }
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
}

function loopbackUrl(host: string, port: number): string {
  const h = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return `http://${h === "127.0.0.1" ? "localhost" : h}:${port}`;
}

/**
 * Parses configuration from an environment-like record. Throws ConfigError naming every
 * invalid variable and what is wrong with it.
 *
 * @example
 * const config = loadConfig({ DATABASE_URL: "postgres://localhost/assent" });
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const fromFile = env.ASSENT_CONFIG_FILE ? readFileConfig(env.ASSENT_CONFIG_FILE) : {};
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") merged[key] = value;
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `${issue.path.join(".") || "(config)"}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const raw = result.data;
  const dataDir = resolve(raw.ASSENT_DATA_DIR);
  const config: Config = {
    env: raw.NODE_ENV,
    logLevel: raw.LOG_LEVEL,
    dataDir,
    database: raw.DATABASE_URL
      ? { kind: "postgres", url: raw.DATABASE_URL, poolMax: raw.DATABASE_POOL_MAX }
      : { kind: "pglite", dataDir: resolve(dataDir, "pglite") },
    host: raw.ASSENT_HOST,
    identity: {
      port: raw.ASSENT_IDENTITY_PORT,
      publicUrl: trimSlash(
        raw.ASSENT_IDENTITY_URL ?? loopbackUrl(raw.ASSENT_HOST, raw.ASSENT_IDENTITY_PORT),
      ),
    },
    connect: {
      port: raw.ASSENT_CONNECT_PORT,
      publicUrl: trimSlash(
        raw.ASSENT_CONNECT_URL ?? loopbackUrl(raw.ASSENT_HOST, raw.ASSENT_CONNECT_PORT),
      ),
    },
    mail: {
      port: raw.ASSENT_MAIL_PORT,
      smtpPort: raw.ASSENT_MAIL_SMTP_PORT,
      publicUrl: trimSlash(
        raw.ASSENT_MAIL_URL ?? loopbackUrl(raw.ASSENT_HOST, raw.ASSENT_MAIL_PORT),
      ),
      trustedIssuerBase: trimSlash(
        raw.ASSENT_MAIL_TRUSTED_ISSUER_BASE ??
          raw.ASSENT_IDENTITY_URL ??
          loopbackUrl(raw.ASSENT_HOST, raw.ASSENT_IDENTITY_PORT),
      ),
      jwksCooldownMs: raw.ASSENT_MAIL_JWKS_COOLDOWN_MS,
      smtpMaxBytes: raw.ASSENT_MAIL_SMTP_MAX_BYTES,
      mailboxPage: raw.ASSENT_MAIL_MAILBOX_PAGE ?? raw.NODE_ENV !== "production",
    },
    demo: {
      port: raw.ASSENT_DEMO_PORT,
      publicUrl: trimSlash(
        raw.ASSENT_DEMO_URL ?? loopbackUrl(raw.ASSENT_HOST, raw.ASSENT_DEMO_PORT),
      ),
    },
    trustProxy: raw.ASSENT_TRUST_PROXY,
    secretKey: raw.ASSENT_SECRET_KEY,
    previousSecretKeys: (raw.ASSENT_SECRET_KEY_PREVIOUS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    smtp: raw.SMTP_URL ? { url: raw.SMTP_URL, from: raw.SMTP_FROM } : undefined,
    smtpFrom: raw.SMTP_FROM,
    shutdownTimeoutMs: raw.ASSENT_SHUTDOWN_TIMEOUT_MS,
    providerCacheSize: raw.ASSENT_PROVIDER_CACHE_SIZE,
    consentRequestsPerUser: raw.ASSENT_CONSENT_REQUESTS_PER_USER,
    jobs: {
      enabled: raw.ASSENT_JOBS,
      pollMs: raw.ASSENT_JOBS_POLL_MS,
      backoff: {
        baseMs: raw.ASSENT_JOBS_RETRY_BASE_MS,
        capMs: Math.max(raw.ASSENT_JOBS_RETRY_BASE_MS, raw.ASSENT_JOBS_RETRY_CAP_MS),
      },
    },
  };
  if (config.env === "production") {
    const refused: string[] = [];
    if (!config.secretKey) refused.push("ASSENT_SECRET_KEY: required in production");
    if (config.database.kind === "pglite")
      refused.push(
        "DATABASE_URL: required in production (the embedded database is for development)",
      );
    // Cookies are Secure only under an https public URL; plain http is for this machine only.
    if (
      !config.identity.publicUrl.startsWith("https:") &&
      !isLoopbackUrl(config.identity.publicUrl)
    )
      refused.push(
        "ASSENT_IDENTITY_URL: must be https in production (plain http only on a loopback address such as http://localhost), so that sign-in cookies are Secure",
      );
    if (refused.length > 0)
      throw new ConfigError(`Invalid configuration:\n  ${refused.join("\n  ")}`);
  }
  return Object.freeze(config);
}

/** http://localhost, 127.0.0.0/8 or [::1]: a browser on this machine only. */
function isLoopbackUrl(u: string): boolean {
  const host = new URL(u).hostname;
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

function trimSlash(u: string): string {
  return u.replace(/\/+$/, "");
}

/** Insecure development defaults in effect, announced loudly at start-up. */
export function insecureDefaults(config: Config, options: { localSmtp?: boolean } = {}): string[] {
  const out: string[] = [];
  if (config.database.kind === "pglite")
    out.push(
      `embedded database (PGlite) at ${config.database.dataDir}; set DATABASE_URL for production`,
    );
  if (!config.secretKey)
    out.push(
      `no ASSENT_SECRET_KEY: a generated development key in ${config.dataDir}/secret.key encrypts secrets at rest`,
    );
  if (!config.smtp)
    out.push(
      options.localSmtp
        ? "no SMTP_URL: email is delivered to the Mail service's own mailboxes only"
        : "no SMTP_URL: outgoing email waits in the outbox",
    );
  return out;
}
