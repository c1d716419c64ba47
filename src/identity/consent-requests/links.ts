import type { ConsentRequestApp } from "./types.ts";

/**
 * The workflow's URLs. Reviewers land on the portal's request page; requesters on their status
 * page (served by the user-facing pages); "Try again" goes to the app's homepage, where its
 * sign-in starts, or to the status page when the app has no usable homepage.
 */

/** What notifications need to build links: the Identity service's public URL. */
export interface LinkContext {
  publicUrl: string;
}

export function reviewUrl(ctx: LinkContext, tenantId: string, requestId: string): string {
  return `${ctx.publicUrl}/${tenantId}/portal/consent-requests/${requestId}`;
}

export function requesterStatusUrl(ctx: LinkContext, tenantId: string, requestId: string): string {
  return `${ctx.publicUrl}/${tenantId}/consent-requests/${requestId}`;
}

function httpUrl(value: string | null): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where "Try again" sends a requester: the app's homepage (http or https) where they sign in
 * again, else their status page.
 */
export function tryAgainUrl(
  ctx: LinkContext,
  tenantId: string,
  requestId: string,
  app: Pick<ConsentRequestApp, "homepageUrl">,
): string {
  return httpUrl(app.homepageUrl) ?? requesterStatusUrl(ctx, tenantId, requestId);
}
