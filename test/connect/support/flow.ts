import { Browser } from "../../identity/oauth/support/browser.ts";
import { APP_CALLBACK, type ConnectedWorld, type ConnectServers } from "./connect-world.ts";

/** The hosted-auth link an app builds (the Nylas SDK's urlForOAuth2 builds the same). */
export function authUrl(
  servers: ConnectServers,
  w: ConnectedWorld,
  extra: Record<string, string> = {},
): URL {
  const url = new URL(`${servers.connectUrl}/v3/connect/auth`);
  const params = {
    client_id: w.connectApp.id,
    redirect_uri: APP_CALLBACK,
    response_type: "code",
    provider: "microsoft",
    state: "app-state-1",
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url;
}

/** Exchanges Connect's code at /v3/connect/token with the application's API key. */
export async function exchange(servers: ConnectServers, w: ConnectedWorld, code: string) {
  const response = await fetch(`${servers.connectUrl}/v3/connect/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_id: w.connectApp.id,
      client_secret: w.connectApp.apiKey,
      grant_type: "authorization_code",
      code,
      redirect_uri: APP_CALLBACK,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** A browser that remembers every URL it fetched (to replay one). */
export class RecordingBrowser extends Browser {
  readonly visited: URL[] = [];
  override async get(url: string | URL): Promise<Response> {
    this.visited.push(new URL(url));
    return super.get(url);
  }
}

/** The first `<a class="button…" href>` whose text matches, resolved against the page. */
export function linkIn(html: string, text: RegExp, base: string | URL): URL {
  for (const m of html.matchAll(/<a [^>]*href="([^"]+)"[^>]*>([^<]+)<\/a>/g)) {
    if (text.test(m[2] ?? "")) return new URL((m[1] ?? "").replace(/&amp;/g, "&"), base);
  }
  throw new Error(`no link ${text} in page: ${html.slice(0, 500)}`);
}
