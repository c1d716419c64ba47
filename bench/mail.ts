import type { SystemDescriptor } from "./lib/http-flow.ts";
import { basicAuth, postForm } from "./lib/http-flow.ts";
import { startServer } from "./lib/server-process.ts";
import { type RunningSystem, type Scenario, type SystemSpec, scratchDatabase } from "./oauth.ts";

/**
 * Issue 10's Mail API scenario: Assent's Mail service (`assent serve mail`, its own process)
 * answering `GET /v1.0/users/{upn}/messages?$top=10` with an app-only token from Assent
 * Identity (another process on the same database): every request validates the JWT (RS256
 * signature against the Identity's JWKS, fetched once and kept; issuer, audience, expiry,
 * roles) and reads a page of the mailbox. No peer serves a Graph-shaped Mail API, so the
 * figure stands alone; the server measured (CPU, RSS) is the Mail process.
 */
const MAILBOX = "bench@bench.example";

export const ASSENT_MAIL: SystemSpec = {
  script: "assent-mail.ts",
  name: "Assent Mail (with Assent Identity)",
  async start(context): Promise<RunningSystem> {
    const scratch = context.postgresUrl ? await scratchDatabase(context.postgresUrl) : undefined;
    const env: Record<string, string> = scratch ? { BENCH_DATABASE_URL: scratch.url } : {};
    const identity = await startServer<SystemDescriptor>("assent.ts", env).catch(async (error) => {
      await scratch?.drop();
      throw error;
    });
    try {
      const mail = await startServer<{ mailUrl: string }>(
        "assent-mail.ts",
        {
          ...env,
          BENCH_ISSUER_BASE: identity.descriptor.base ?? "",
          BENCH_TENANT_ID: identity.descriptor.tenantId ?? "",
          BENCH_MAILBOX: MAILBOX,
        },
        context.nodeArgs,
      );
      return {
        descriptor: { ...identity.descriptor, mailUrl: mail.descriptor.mailUrl },
        processes: [mail],
        database: scratch?.name,
        async stop() {
          await mail.stop();
          await identity.stop();
          await scratch?.drop();
        },
      };
    } catch (error) {
      await identity.stop();
      await scratch?.drop();
      throw error;
    }
  },
};

export const MAIL_SCENARIO: Scenario = {
  name: "Mail API request with JWT validation (GET /users/{upn}/messages?$top=10, app token)",
  unit: "requests/s",
  async setup(d) {
    const r = await postForm(d.tokenEndpoint, d.clientCredentialsParams, undefined, basicAuth(d));
    const body = (await r.json()) as { access_token?: string };
    if (r.status !== 200 || !body.access_token)
      throw new Error(`client credentials ${r.status}: ${JSON.stringify(body)}`);
    return { token: body.access_token };
  },
  async iteration(d, state: { token: string }) {
    const r = await fetch(
      `${d.mailUrl}/v1.0/users/${encodeURIComponent(MAILBOX)}/messages?$top=10`,
      { headers: { authorization: `Bearer ${state.token}` } },
    );
    const body = (await r.json()) as { value?: unknown[] };
    if (r.status !== 200 || body.value?.length !== 10)
      throw new Error(`mail ${r.status}: ${JSON.stringify(body).slice(0, 200)}`);
  },
  systems: () => [ASSENT_MAIL],
  peers: [],
};
