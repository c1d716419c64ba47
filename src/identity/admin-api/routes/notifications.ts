import { z } from "zod";
import { outboxStats } from "../../../platform/jobs/index.ts";
import { EMAIL_JOB_KIND, MAIL_NOT_CONFIGURED_MESSAGE } from "../../../platform/mail/index.ts";
import { type AdminRoute, defineRoute } from "../route.ts";
import { getPolicyRoute } from "./consent-request-policy.ts";

const emailStatusSchema = z.object({
  configured: z.boolean().describe("Whether Identity has an SMTP server to send email through"),
  waiting: z.number().int().describe("Email notifications of this tenant waiting in the outbox"),
  message: z.string().optional().describe("What the portal shows while email is not configured"),
});

export const getEmailStatusRoute = defineRoute({
  method: "GET",
  path: "/api/v1/notifications/email",
  operationId: "getEmailNotificationStatus",
  summary: "Whether notification email is configured, and how many emails wait",
  description:
    "Without an SMTP server (SMTP_URL) notification emails are not lost: they wait in the outbox and go out once SMTP_URL is set and the service restarted.",
  tags: ["Notifications"],
  // Whoever may read the admin consent request policy (whose notifications these are).
  permission: getPolicyRoute.permission,
  response: emailStatusSchema,
  handler: async ({ deps, caller }) => {
    const configured = deps.emailConfigured?.() ?? Boolean(deps.config.smtp);
    const { waiting } = await outboxStats(deps.database.db, "identity", {
      tenantId: caller.tenantId,
      kind: EMAIL_JOB_KIND,
    });
    return configured
      ? { configured, waiting }
      : { configured, waiting, message: MAIL_NOT_CONFIGURED_MESSAGE };
  },
});

/** The notification status operations. */
export const notificationRoutes: AdminRoute[] = [getEmailStatusRoute];
