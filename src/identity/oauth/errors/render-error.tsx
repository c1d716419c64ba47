import type { KoaContextWithOIDC } from "oidc-provider";
import {
  AppBlockedPage,
  ErrorPage,
  renderPage,
  type TroubleshootingDetails,
} from "../../pages/index.ts";
import { catalogEntry } from "../error-catalog.ts";
import { codeFor } from "./code-for.ts";
import { entraTimestamp, type RequestContext, requestContextOf } from "./request-context.ts";
import { errorUri } from "./wire.ts";

export interface ErrorPageInput {
  code: number;
  context: RequestContext;
  publicUrl: string;
  appName?: string | undefined;
  appId?: string | undefined;
  /** A link back to the app carrying the error, when the app may be told. */
  continueUrl?: string | undefined;
}

/**
 * The HTML of an error the user sees instead of a redirect to the app.
 *
 * @example
 * reply.code(400).type("text/html").send(errorPageHtml({ code: 90002, context, publicUrl }));
 */
export function errorPageHtml(input: ErrorPageInput): string {
  const entry = catalogEntry(input.code);
  return renderPage(
    <ErrorPage
      title="Sorry, but we're having trouble signing you in."
      explanation={`${entry.message} ${entry.userFix}`}
      errorUri={errorUri(input.publicUrl, input.code)}
      continueUrl={input.continueUrl}
      details={troubleshootingOf(input)}
    />,
  );
}

/**
 * The page of an app the organisation blocked (AADSTS7000112 for a blocked service principal,
 * not one merely disabled): the dedicated "Your organization has blocked this app" page, which
 * offers no request, with the same troubleshooting details as every other error page.
 */
export function blockedAppPageHtml(input: ErrorPageInput): string {
  return renderPage(
    <AppBlockedPage
      app={{ name: input.appName ?? "This app", appId: input.appId }}
      continueUrl={input.continueUrl}
      details={troubleshootingOf(input)}
    />,
  );
}

function troubleshootingOf(input: ErrorPageInput): TroubleshootingDetails {
  const entry = catalogEntry(input.code);
  return {
    code: input.code,
    requestId: input.context.requestId,
    correlationId: input.context.correlationId,
    timestamp: entraTimestamp(input.context.timestamp),
    message: `AST${input.code}: ${entry.message}`,
    appName: input.appName,
    appId: input.appId,
    ip: input.context.ip,
  };
}

/**
 * oidc-provider's `renderError`: the page for errors that must not be redirected (unknown
 * client, unregistered redirect_uri: RFC 6749 section 4.1.2.1) and for browsers hitting an
 * endpoint meant for programs.
 */
export function renderOidcError(publicUrl: string) {
  return async (
    ctx: KoaContextWithOIDC,
    out: { error: string; error_description?: string },
  ): Promise<void> => {
    const code = codeFor(ctx, out.error, out.error_description);
    const clientId = ctx.oidc?.params?.client_id ?? ctx.query.client_id;
    ctx.type = "html";
    ctx.body = errorPageHtml({
      code,
      context: requestContextOf(ctx.req),
      publicUrl,
      appName: ctx.oidc?.client?.clientName,
      appId: typeof clientId === "string" ? clientId : undefined,
    });
  };
}
