import type { Kysely } from "kysely";
import { enqueueEmail, renderEmail } from "../../platform/mail/index.ts";
import type { ConnectContext } from "../context.ts";
import { emitEvent } from "../events/emit.ts";
import type { ConnectDB } from "../tables.ts";
import { type PendingApproval, pendingApprovalView } from "./pending-queries.ts";

/** The link that resumes a connection after approval, the person's email filled in. */
export function resumeUrl(publicUrl: string, approvalId: string): string {
  return `${publicUrl}/v3/connect/resume/${approvalId}`;
}

/**
 * What follows an approval, inside the transaction that recorded it: `grant.approval_granted`
 * to the application, and an email to the person with a one-click link back to a working
 * connection. Call `ctx.wake()` after the commit.
 */
export async function announceApprovals(
  trx: Kysely<ConnectDB>,
  ctx: ConnectContext,
  approvals: PendingApproval[],
  appName: string,
): Promise<void> {
  for (const approval of approvals) {
    await emitEvent(trx, approval.application_id, "grant.approval_granted", {
      ...pendingApprovalView(approval, ctx.publicUrl),
      resume_url: resumeUrl(ctx.publicUrl, approval.id),
    });
    if (!approval.email) continue;
    const link = resumeUrl(ctx.publicUrl, approval.id);
    await enqueueEmail(
      trx,
      "connect",
      {
        to: approval.email,
        ...renderEmail({
          subject: `${appName} was approved: finish connecting your mailbox`,
          heading: `${appName} was approved`,
          footer:
            "You get this email because you tried to connect your mailbox and it needed approval.",
          blocks: [
            {
              type: "paragraph",
              content: [
                "Your administrator approved ",
                { strong: appName },
                ". You can now finish connecting your mailbox.",
              ],
            },
            { type: "button", label: "Finish connecting", url: link },
          ],
        }),
      },
      {
        tenantId: approval.application_id,
        dedupeKey: `approval:${approval.id}:${approval.updated_at.toISOString()}`,
      },
    );
  }
}
