import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCrmApp } from "../../src/demo/crm/index.ts";

// Nothing is called there: these requests stop before the demo app talks to Connect (the
// whole journey through a real Connect is test/browser/scenario.test.ts).
const CONNECT = "http://127.0.0.1:9";
const CRM = "http://localhost:4300";

/** A browser's cookie jar for one person, over inject. */
class Visitor {
  readonly cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}

  async request(method: "GET" | "POST", url: string, form?: Record<string, string>) {
    const response = await this.app.inject({
      method,
      url,
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
    });
    for (const c of response.cookies) {
      if (c.value === "" || (c.expires && c.expires.getTime() < Date.now()))
        this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return response;
  }
}

function csrfOf(response: LightMyRequestResponse): string {
  const token = /name="csrf_token" value="([^"]+)"/.exec(response.body)?.[1];
  if (!token) throw new Error(`no CSRF token in ${response.body.slice(0, 300)}`);
  return token;
}

/** Starts a connection as the home page's form does; returns Connect's hosted-auth URL. */
async function startConnecting(v: Visitor, loginHint: string): Promise<URL> {
  const home = await v.request("GET", "/");
  const started = await v.request("POST", "/connect", {
    csrf_token: csrfOf(home),
    login_hint: loginHint,
  });
  expect(started.statusCode).toBe(303);
  return new URL(String(started.headers.location));
}

/**
 * The demo app's own rules, without Connect: forms need their CSRF token, a callback needs the
 * state this browser started with, approval outcomes become "Waiting for your administrator's
 * approval" with Try again, other outcomes show Connect's words (escaped), and a cookie not
 * signed by the app is ignored.
 */
describe("Northwind CRM, the demo app", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = createCrmApp({
      logger: pino({ level: "silent" }),
      publicUrl: CRM,
      connectUrl: CONNECT,
      applicationId: "5d0c4c09-7c2b-4a5e-9d53-2f0f7e1b9a11",
      apiKey: "ack_demo-test-key",
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it("sends the person to Connect's hosted auth with its client id, callback, provider, hint and a state", async () => {
    const v = new Visitor(app);
    const home = await v.request("GET", "/");
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain("Connect your mailbox");
    const auth = await startConnecting(v, "megan@contoso.com");
    expect(auth.origin + auth.pathname).toBe(`${CONNECT}/v3/connect/auth`);
    expect(Object.fromEntries(auth.searchParams)).toMatchObject({
      client_id: "5d0c4c09-7c2b-4a5e-9d53-2f0f7e1b9a11",
      redirect_uri: `${CRM}/callback`,
      response_type: "code",
      provider: "microsoft",
      login_hint: "megan@contoso.com",
    });
    expect(auth.searchParams.get("state")).toMatch(/^[\w-]{32}$/);
  });

  it("refuses forms without this browser's CSRF token", async () => {
    const v = new Visitor(app);
    await v.request("GET", "/");
    for (const token of [undefined, "forged"]) {
      const posted = await v.request(
        "POST",
        "/connect",
        token ? { csrf_token: token } : { login_hint: "x@contoso.com" },
      );
      expect(posted.statusCode).toBe(403);
      expect(posted.body).toContain("This form expired or did not come from this page.");
    }
    const other = new Visitor(app);
    const token = csrfOf(await other.request("GET", "/"));
    expect((await v.request("POST", "/disconnect", { csrf_token: token })).statusCode).toBe(403);
  });

  it("refuses a callback whose state this browser did not start, once used or forged", async () => {
    const v = new Visitor(app);
    const auth = await startConnecting(v, "megan@contoso.com");
    const forged = await v.request("GET", "/callback?state=someone-elses&code=abc");
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain("This connection attempt has expired");
    // The attempt is consumed by any callback: the right state no longer works either.
    const late = await v.request("GET", `/callback?state=${auth.searchParams.get("state")}&code=x`);
    expect(late.statusCode).toBe(400);
  });

  it("approval outcomes: waiting for the administrator, with Try again for the same account", async () => {
    const v = new Visitor(app);
    const auth = await startConnecting(v, "megan@contoso.com");
    const back = await v.request(
      "GET",
      `/callback?${new URLSearchParams({
        state: auth.searchParams.get("state") ?? "",
        error: "access_denied",
        error_code: "admin_approval_required",
        error_description: "Your administrator must approve this app",
      })}`,
    );
    expect(back.statusCode).toBe(303);
    expect(back.headers.location).toBe("/");
    const home = await v.request("GET", "/");
    expect(home.body).toContain("Waiting for your administrator&#x27;s approval");
    expect(home.body).toContain("Share the approval page with your administrator.");
    expect(home.body).toContain("Account: megan@contoso.com");
    const again = await v.request("POST", "/connect", {
      csrf_token: csrfOf(home),
      login_hint: "megan@contoso.com",
    });
    expect(new URL(String(again.headers.location)).searchParams.get("login_hint")).toBe(
      "megan@contoso.com",
    );

    // "Use another account" forgets the wait.
    const fresh = await v.request("GET", "/");
    await v.request("POST", "/disconnect", { csrf_token: csrfOf(fresh) });
    expect((await v.request("GET", "/")).body).toContain("Connect your mailbox");
  });

  it("other outcomes show Connect's description, escaped, with Try again", async () => {
    const v = new Visitor(app);
    const auth = await startConnecting(v, "lee@contoso.com");
    const back = await v.request(
      "GET",
      `/callback?${new URLSearchParams({
        state: auth.searchParams.get("state") ?? "",
        error: "access_denied",
        error_code: "not_assigned",
        error_description: "You are not assigned <script>alert(1)</script>",
      })}`,
    );
    expect(back.statusCode).toBe(200);
    expect(back.body).toContain("Your mailbox was not connected");
    expect(back.body).toContain("You are not assigned &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(back.body).not.toContain("<script>");
    expect(back.body).toContain('name="login_hint" value="lee@contoso.com"');
  });

  it("ignores a session cookie it did not sign", async () => {
    const v = new Visitor(app);
    v.cookies.set(
      "northwind_crm_session",
      encodeURIComponent(JSON.stringify({ grant: { id: "g", email: "eve@contoso.com" } })),
    );
    const home = await v.request("GET", "/");
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain("Connect your mailbox");
    expect(home.body).not.toContain("eve@contoso.com");
  });
});
