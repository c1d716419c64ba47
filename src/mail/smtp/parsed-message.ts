import type { AddressObject, EmailAddress, ParsedMail } from "mailparser";
import {
  domainOf,
  type InboundAddress,
  type InboundMessage,
  normaliseAddress,
} from "../mailbox/index.ts";
import { storableText } from "../unstorable-text.ts";

function addressesOf(field: AddressObject | AddressObject[] | undefined): InboundAddress[] {
  const flatten = (list: EmailAddress[]): InboundAddress[] =>
    list.flatMap((a) =>
      a.group
        ? flatten(a.group)
        : a.address
          ? [{ address: a.address, name: a.name ? storableText(a.name) : null }]
          : [],
    );
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((o) => flatten(o.value));
}

/**
 * The message as Mail files it: header From/To/Cc for display, the SMTP envelope's recipients
 * for delivery (which include Bcc), the HTML body when there is one, else the text. Text the
 * database cannot hold (a NUL byte, half a surrogate pair) is cleaned, not refused.
 */
export function inboundFromParsed(
  parsed: ParsedMail,
  envelope: { mailFrom: string | undefined; rcptTo: string[] },
): InboundMessage {
  const headerFrom = addressesOf(parsed.from)[0];
  const sender = (headerFrom && normaliseAddress(headerFrom.address) ? headerFrom : undefined) ??
    (envelope.mailFrom && normaliseAddress(envelope.mailFrom)
      ? { address: envelope.mailFrom, name: null }
      : undefined) ?? {
      // A null reverse-path (RFC 5321 §4.5.5, bounces) with no usable From header.
      address: `postmaster@${domainOf(envelope.rcptTo[0] ?? "x@localhost.localdomain")}`,
      name: null,
    };
  return {
    from: sender,
    toRecipients: addressesOf(parsed.to),
    ccRecipients: addressesOf(parsed.cc),
    recipients: envelope.rcptTo,
    subject: storableText(parsed.subject ?? ""),
    body:
      typeof parsed.html === "string" && parsed.html !== ""
        ? { contentType: "html", content: storableText(parsed.html) }
        : { contentType: "text", content: storableText(parsed.text ?? "") },
    ...(parsed.messageId ? { internetMessageId: storableText(parsed.messageId) } : {}),
    sentAt: parsed.date ?? null,
  };
}
