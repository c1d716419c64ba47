import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { applicationIdOf } from "../applications/index.ts";
import { requireConnector } from "../connectors/index.ts";
import type { ConnectContext } from "../context.ts";
import { findGrant, freshAccessToken, type Grant } from "../grants/index.ts";
import { ConnectError, notFound } from "../http/errors.ts";
import { type GraphMessage, nylasMessage } from "./message-shape.ts";

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  page_token: z
    .string()
    .regex(/^\d{1,7}$/)
    .optional(),
});

const MESSAGE_ID = /^[A-Za-z0-9._=+-]{1,400}$/;

type Params = { Params: { id: string; messageId?: string } };

/** The delegated scopes that let a token list messages (Microsoft Graph and Assent Mail). */
const MAIL_READ_SCOPES = ["mail.readbasic", "mail.read", "mail.readwrite"];

/** Whether the grant's scopes include one that reads mail (`Mail.Read`, or Graph's full URI). */
export function grantReadsMail(scopes: readonly string[]): boolean {
  return scopes.some((s) => MAIL_READ_SCOPES.includes(s.toLowerCase().split("/").pop() ?? ""));
}

/** The scopes a `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."` names. */
function challengedScopes(header: string | null): string | undefined {
  if (!header || !/error="insufficient_scope"/.test(header)) return undefined;
  return /scope="([^"]*)"/.exec(header)?.[1] || undefined;
}

/**
 * The error for a provider that refused to show mail because of the grant's scopes: what the
 * grant holds, what it lacks, and how to fix it (the connector's scope, then a reconnect).
 */
function missingScopeError(grant: Grant, needed: string, providerError?: unknown): ConnectError {
  const held = grant.scope.length > 0 ? grant.scope.join(" ") : "no scopes";
  return new ConnectError(
    403,
    "insufficient_scopes",
    `The grant's token may not read mail: it was granted "${held}", without ${needed}. ` +
      `Add ${needed} to the connector's scope (PATCH /v3/connectors/${grant.provider} with ` +
      `"scope"), then have ${grant.email} connect again.`,
    providerError,
  );
}

/**
 * A small mail passthrough, so a connected grant is shown to work: `GET /v3/grants/{id}/
 * messages[/{message_id}]` calls the provider's Graph-shaped mail API (Microsoft Graph, or
 * Assent Mail) with the grant's token — refreshed first when near expiry, and once more if the
 * provider refuses it — and answers in Nylas's message shape.
 */
export function messageRoutes(ctx: ConnectContext) {
  async function callProvider(grant: Grant, path: string): Promise<unknown> {
    const connector = await requireConnector(
      ctx.db,
      ctx.keyRing,
      grant.application_id,
      grant.provider,
    );
    const client = await ctx.providers.get(connector);
    if (!client.mailApiUrl)
      throw new ConnectError(
        400,
        "invalid_request_error",
        `The message passthrough does not support provider ${grant.provider} yet.`,
      );
    let current = grant;
    for (let attempt = 0; attempt < 2; attempt++) {
      const { accessToken, grant: fresh } = await freshAccessToken(ctx, current);
      const response = await fetch(`${client.mailApiUrl}${path}`, {
        headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (response.ok) return body;
      // A token without a mail scope is refused however fresh: say which scope is missing.
      if (response.status === 401 || response.status === 403) {
        const challenged = challengedScopes(response.headers.get("www-authenticate"));
        if (challenged)
          throw missingScopeError(current, challenged.split(" ").join(" or "), body.error);
        if (!grantReadsMail(current.scope))
          throw missingScopeError(current, "Mail.Read", body.error);
      }
      if (response.status === 401 && attempt === 0) {
        // The provider refused a token Connect thought valid: refresh now, once.
        current = { ...fresh, access_token_expires_at: new Date(0) };
        continue;
      }
      if (response.status === 404) throw notFound("The provider has no such message.");
      throw new ConnectError(
        response.status >= 500 ? 502 : response.status,
        "provider_error",
        `The provider's mail API answered HTTP ${response.status}.`,
        body.error,
      );
    }
    throw new ConnectError(
      401,
      "provider_error",
      "The provider refused the grant's token twice, even just refreshed. Have the user connect again.",
    );
  }

  async function grantOf(
    request: { params: { id: string } } & Parameters<typeof applicationIdOf>[0],
  ) {
    const grant = await findGrant(ctx.db, applicationIdOf(request), request.params.id);
    if (!grant) throw notFound(`No grant ${request.params.id} for this application.`);
    return grant;
  }

  return async (app: FastifyInstance) => {
    app.get<Params>("/v3/grants/:id/messages", async (request) => {
      const grant = await grantOf(request);
      const q = ListQuery.parse(request.query);
      const skip = Number(q.page_token ?? 0);
      const body = (await callProvider(grant, `/me/messages?$top=${q.limit}&$skip=${skip}`)) as {
        value?: GraphMessage[];
        "@odata.nextLink"?: string;
      };
      const messages = (body.value ?? []).map((m) => nylasMessage(grant.id, m));
      return {
        request_id: request.id,
        data: messages,
        ...(body["@odata.nextLink"] ? { next_cursor: String(skip + messages.length) } : {}),
      };
    });
    app.get<Params>("/v3/grants/:id/messages/:messageId", async (request) => {
      const grant = await grantOf(request);
      const messageId = request.params.messageId ?? "";
      if (!MESSAGE_ID.test(messageId)) throw notFound("The provider has no such message.");
      const body = (await callProvider(
        grant,
        `/me/messages/${encodeURIComponent(messageId)}`,
      )) as GraphMessage;
      return { request_id: request.id, data: nylasMessage(grant.id, body) };
    });
  };
}
