/**
 * Signed outbound webhooks (Standard Webhooks 1.0 headers and HMAC-SHA256 `v1` signatures),
 * delivered through the outbox with retries and exponential backoff, one delivery-log row per
 * attempt, and destination checks against server-side request forgery.
 */
export {
  createWebhookDeliveryHandler,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  enqueueWebhook,
  purgeWebhookDeliveries,
  RESPONSE_EXCERPT_MAX,
  WEBHOOK_JOB_KIND,
  type WebhookDeliveryOptions,
  type WebhookEndpointTarget,
  type WebhookJobPayload,
  webhookBody,
} from "./delivery.ts";
export { type WebhookDeliveryTable, webhookDeliveryTableSql } from "./delivery-log-table.ts";
export { createGuardedLookup } from "./guarded-lookup.ts";
export {
  DEFAULT_TOLERANCE_SECONDS,
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  WEBHOOK_SECRET_PREFIX,
  type WebhookHeaders,
  webhookSignature,
} from "./signature.ts";
export { addressProblem, type TargetPolicy, webhookTargetProblem } from "./target.ts";
