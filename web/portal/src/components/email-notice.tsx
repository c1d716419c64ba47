import { useApi } from "../api/client.ts";
import type { EmailStatus } from "../api/types.ts";

/**
 * Says, while no SMTP server is configured, that notification emails are waiting in the outbox
 * and what to set; nothing otherwise (or when the status cannot be read).
 */
export function EmailNotice() {
  const status = useApi<EmailStatus>("/api/v1/notifications/email");
  if (!status.data || status.data.configured) return null;
  const n = status.data.waiting;
  return (
    <p className="notice" role="status">
      Email is not configured, so notifications are not sent.{" "}
      {n === 1 ? "1 notification is" : `${n} notifications are`} waiting to be sent. Set SMTP_URL to
      your SMTP server and restart Assent to send them.
    </p>
  );
}
