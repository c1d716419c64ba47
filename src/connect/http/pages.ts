import type { FastifyReply, FastifyRequest } from "fastify";
import type { ReactNode } from "react";
import { MessagePage, type PageLink, renderPage } from "../pages/index.ts";

/** Sends a page for people; never cached (it may carry a one-time link). */
export function sendHtml(reply: FastifyReply, status: number, element: ReactNode): FastifyReply {
  return reply
    .status(status)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(renderPage(element));
}

/**
 * An error page for a browser that cannot safely be sent back to the application (unknown
 * client id, unregistered redirect URI, a state Connect did not issue): RFC 6749 §4.1.2.1 —
 * never redirect to an address that was not verified.
 */
export function sendErrorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  error: { code: string; title: string; message: string; next: string; links?: PageLink[] },
): FastifyReply {
  return sendHtml(
    reply,
    status,
    MessagePage({
      title: error.title,
      paragraphs: [error.message, error.next],
      ...(error.links ? { links: error.links } : {}),
      details: [
        ["Error code", error.code],
        ["Request id", request.id],
        ["Time", new Date().toISOString()],
      ],
    }),
  );
}

/** The application's redirect URI with parameters added (query string). */
export function appRedirectUrl(
  redirectUri: string,
  params: Record<string, string | undefined>,
): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}
