import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { holdsAny } from "../auth/caller.ts";
import { accessDenied, GraphError, refuseUnstorableText } from "../graph/graph-error.ts";
import { sendMail } from "../mailbox/index.ts";
import type { GraphRouteDeps } from "./deps.ts";
import { ownMailbox, requireDelegated } from "./mailbox-access.ts";

const Recipient = z.object({
  emailAddress: z.object({
    // 254: RFC 5321 §4.5.3.1.3; the address itself is checked when the message is delivered.
    address: z.string().trim().min(1).max(254),
    name: z.string().max(256).optional(),
  }),
});
// 500 recipients per message: Exchange Online's default recipient limit.
const Recipients = z.array(Recipient).max(500).default([]);

const SendMailRequest = z.object({
  message: z.object({
    subject: z.string().max(2000).default(""),
    body: z
      .object({
        // Graph accepts "Text"/"HTML" in any case and answers in lower case.
        contentType: z.preprocess(
          (v) => (typeof v === "string" ? v.toLowerCase() : v),
          z.enum(["text", "html"]),
        ),
        content: z.string(),
      })
      .default({ contentType: "text", content: "" }),
    toRecipients: Recipients,
    ccRecipients: Recipients,
    bccRecipients: Recipients,
    from: Recipient.optional(),
  }),
  saveToSentItems: z.boolean().default(true),
});

const toAddress = (r: z.infer<typeof Recipient>) => ({
  address: r.emailAddress.address,
  name: r.emailAddress.name ?? null,
});

/**
 * `POST /me/sendMail` (Mail.Send): delivers to the recipients' mailboxes and answers 202.
 * Only hosted domains are deliverable: other recipients are refused with
 * `ErrorInvalidRecipients` and nothing is sent (Assent Mail is not a relay).
 */
export function sendMailRoutes(app: FastifyInstance, { db, authenticate }: GraphRouteDeps) {
  app.post("/me/sendMail", async (request, reply) => {
    const caller = await authenticate(request);
    requireDelegated(caller);
    if (!holdsAny(caller, ["Mail.Send"])) throw accessDenied(["Mail.Send"]);
    refuseUnstorableText(request);
    const { message, saveToSentItems } = SendMailRequest.parse(request.body ?? {});
    const sender = await ownMailbox(db, caller);
    if (message.from && message.from.emailAddress.address.toLowerCase() !== sender.address)
      throw new GraphError(
        403,
        "ErrorSendAsDenied",
        `The signed-in user may send only as ${sender.address}, not as ${message.from.emailAddress.address}.`,
      );
    await sendMail(db, sender, {
      subject: message.subject,
      body: message.body,
      toRecipients: message.toRecipients.map(toAddress),
      ccRecipients: message.ccRecipients.map(toAddress),
      bccRecipients: message.bccRecipients.map(toAddress),
      saveToSentItems,
    });
    return reply.status(202).send();
  });
}
