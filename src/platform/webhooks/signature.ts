import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks 1.0 symmetric signatures: `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "{webhook-id}.{webhook-timestamp}.{body}">`, keyed with the endpoint's secret, which is shown
 * to people as `whsec_` + base64 of 24–64 random bytes.
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */

export const WEBHOOK_SECRET_PREFIX = "whsec_";

/** The spec asks for at least 24 random bytes; 32 is HMAC-SHA256's block-worthy key size. */
const SECRET_BYTES = 32;

// The id is part of the signed string, delimited by "."; the spec forbids "." in it so that no
// (id, timestamp) pair can be shifted into another.
const MESSAGE_ID = /^[A-Za-z0-9_-]{1,255}$/;

/** Five minutes, the spec's example tolerance for replayed timestamps. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface WebhookHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** A new endpoint secret (`whsec_…`), shown once to whoever registers the endpoint. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString("base64")}`;
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new Error(`a webhook secret starts with ${WEBHOOK_SECRET_PREFIX}`);
  }
  const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), "base64");
  if (key.length < 24 || key.length > 64) {
    throw new Error("a webhook secret is 24 to 64 bytes of base64 after whsec_");
  }
  return key;
}

/** `v1,<base64>` for one secret. */
export function webhookSignature(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): string {
  if (!MESSAGE_ID.test(id))
    throw new Error(`webhook id ${JSON.stringify(id)} is not [A-Za-z0-9_-]`);
  const mac = createHmac("sha256", keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest();
  return `v1,${mac.toString("base64")}`;
}

/**
 * The three Standard Webhooks headers. Several secrets (current first, then the previous one
 * during a rotation) give several space-separated signatures; a receiver accepts any match.
 *
 * @example
 * const headers = signWebhook({ id: "msg_1", timestamp: Math.floor(Date.now() / 1000), body, secrets: [secret] });
 */
export function signWebhook(message: {
  id: string;
  timestamp: number;
  body: string;
  secrets: readonly string[];
}): WebhookHeaders {
  if (message.secrets.length === 0) throw new Error("a webhook needs at least one secret");
  return {
    "webhook-id": message.id,
    "webhook-timestamp": String(message.timestamp),
    "webhook-signature": message.secrets
      .map((secret) => webhookSignature(secret, message.id, message.timestamp, message.body))
      .join(" "),
  };
}

/**
 * Checks a received webhook (for Assent's own receivers, e.g. Connect subscribing to Identity):
 * a fresh timestamp and at least one v1 signature matching one of `secrets`, compared in
 * constant time. Returns false rather than throwing, so a caller answers 401 uniformly.
 */
export function verifyWebhook(message: {
  headers: Partial<Record<keyof WebhookHeaders, string | undefined>>;
  body: string;
  secrets: readonly string[];
  toleranceSeconds?: number;
  nowSeconds?: number;
}): boolean {
  const id = message.headers["webhook-id"];
  const timestamp = message.headers["webhook-timestamp"];
  const signatures = message.headers["webhook-signature"];
  if (!id || !timestamp || !signatures || !MESSAGE_ID.test(id) || !/^\d{1,12}$/.test(timestamp)) {
    return false;
  }
  const now = message.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (message.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) {
    return false;
  }
  const offered = signatures
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => Buffer.from(s.slice(3), "base64"));
  for (const secret of message.secrets) {
    const expected = Buffer.from(
      webhookSignature(secret, id, Number(timestamp), message.body).slice(3),
      "base64",
    );
    for (const candidate of offered) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) return true;
    }
  }
  return false;
}
