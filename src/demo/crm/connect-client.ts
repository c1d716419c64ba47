import NylasModule from "nylas";

// nylas ships ESM whose types TypeScript reads as CommonJS: at run time the default import is
// the class itself.
const Nylas = NylasModule as unknown as typeof NylasModule.default;

/** How the demo app reaches Assent Connect: as any Nylas v3 customer, with its API key. */
export interface ConnectSettings {
  /** Connect's public URL: the SDK's `apiUri`. */
  connectUrl: string;
  /** The demo app's Connect client id. */
  applicationId: string;
  apiKey: string;
  /** Where Connect sends people back: the demo app's `/callback`. */
  callbackUrl: string;
  provider: "microsoft";
}

/** A message as the demo app lists it. */
export interface ListedMessage {
  id: string;
  subject: string;
  from: string;
  date: Date | undefined;
  snippet: string;
}

/** The Connect approval behind an `approval_requested` or `admin_approval_required` outcome. */
export interface PendingApproval {
  email: string;
  status: string;
}

/** A failed call's HTTP status, when Connect answered with one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === "number" ? status : undefined;
}

/**
 * The demo app's client of Connect, through the official `nylas` SDK pointed at Connect
 * (`apiUri`): the hosted-auth URL, the code exchange, the grant's messages, disconnecting. The
 * approvals API, which Nylas does not have, is one plain fetch.
 */
export function connectClient(settings: ConnectSettings) {
  const nylas = new Nylas({ apiKey: settings.apiKey, apiUri: settings.connectUrl });
  return {
    authUrl(state: string, loginHint: string | undefined): string {
      return nylas.auth.urlForOAuth2({
        clientId: settings.applicationId,
        redirectUri: settings.callbackUrl,
        provider: settings.provider,
        state,
        ...(loginHint ? { loginHint } : {}),
      });
    },

    async exchange(code: string): Promise<{ grantId: string; email: string }> {
      const tokens = await nylas.auth.exchangeCodeForToken({
        clientId: settings.applicationId,
        redirectUri: settings.callbackUrl,
        code,
      });
      return { grantId: tokens.grantId, email: tokens.email ?? "" };
    },

    async messages(grantId: string, limit: number): Promise<ListedMessage[]> {
      const page = await nylas.messages.list({ identifier: grantId, queryParams: { limit } });
      return page.data.map((m) => {
        const sender = m.from?.[0];
        return {
          id: m.id,
          subject: m.subject ?? "",
          from: sender ? (sender.name ? `${sender.name} <${sender.email}>` : sender.email) : "",
          date: m.date ? new Date(m.date * 1000) : undefined,
          snippet: m.snippet ?? "",
        };
      });
    },

    async disconnect(grantId: string): Promise<void> {
      await nylas.grants.destroy({ grantId }).catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
    },

    async approval(id: string): Promise<PendingApproval | undefined> {
      const response = await fetch(
        `${settings.connectUrl}/v3/approvals/${encodeURIComponent(id)}`,
        {
          headers: { authorization: `Bearer ${settings.apiKey}`, accept: "application/json" },
          signal: AbortSignal.timeout(10_000),
        },
      );
      if (!response.ok) return undefined;
      const body = (await response.json()) as { data?: { email?: string; status?: string } };
      return { email: body.data?.email ?? "", status: body.data?.status ?? "" };
    },

    approvalPageUrl(id: string): string {
      return `${settings.connectUrl}/v3/connect/approvals/${encodeURIComponent(id)}`;
    },
  };
}

export type ConnectClient = ReturnType<typeof connectClient>;
