import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { connectMigrations } from "../../../migrations/connect/index.ts";
import { loadConfig } from "../../../src/config/index.ts";
import {
  type ConnectBackground,
  connectDb,
  createConnectApp,
  createConnectApplication,
  startConnectBackground,
} from "../../../src/connect/index.ts";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  type Application,
  addClientSecret,
  createApplication,
} from "../../../src/identity/apps/index.ts";
import type { ConsentSettings } from "../../../src/identity/consent/index.ts";
import { addHostedDomain, createMailApp, deliver } from "../../../src/mail/index.ts";
import type { KeyRing } from "../../../src/platform/crypto/index.ts";
import { migrate } from "../../../src/platform/db/index.ts";
import { type ConsentWorld, seedWorld } from "../../identity/consent/support.ts";
import type { IdentityServer } from "../../identity/oauth/support/fixture.ts";
import type { TestDatabase } from "../../support/databases.ts";

export const APP_CALLBACK = "http://127.0.0.1:9/connected";
export const silent = pino({ level: "silent" });

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Connect's clock for token expiry: the wall clock plus `offsetMs` (tests move time on). */
export interface ConnectClock {
  offsetMs: number;
  now(): Date;
}

export interface ConnectServers {
  connect: FastifyInstance;
  connectUrl: string;
  mail: FastifyInstance;
  mailUrl: string;
  background: ConnectBackground;
  clock: ConnectClock;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Connect's key ring (default Identity's). */
  keyRing?: KeyRing;
  /** Where Connect's email goes (default nowhere: it waits in the outbox). */
  smtp?: { url: string; from: string };
}

/**
 * Assent Connect and Assent Mail listening on loopback beside a running Assent Identity, on the
 * same test database (each service in its own schema), with Connect's outbox worker polling.
 */
export async function startConnect(
  t: TestDatabase,
  identity: IdentityServer,
  options: ConnectOptions = {},
): Promise<ConnectServers> {
  const [connectPort, mailPort] = [await freePort(), await freePort()];
  const connectUrl = `http://127.0.0.1:${connectPort}`;
  const mailUrl = `http://127.0.0.1:${mailPort}`;
  const keyRing = options.keyRing ?? identity.keyRing;
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    ASSENT_CONNECT_URL: connectUrl,
    ASSENT_MAIL_URL: mailUrl,
    ASSENT_MAIL_TRUSTED_ISSUER_BASE: identity.baseUrl,
    ASSENT_MAIL_SMTP_PORT: "0",
  });
  await migrate(connectDb(t.database), connectMigrations);
  const background = startConnectBackground({
    db: connectDb(t.database),
    keyRing,
    logger: silent,
    smtp: options.smtp,
    allowLoopback: true,
    pollMs: 50,
  });
  const clock: ConnectClock = {
    offsetMs: 0,
    now() {
      return new Date(Date.now() + this.offsetMs);
    },
  };
  const connect = createConnectApp({
    config,
    database: t.database,
    keyRing,
    logger: silent,
    wake: () => background.worker.wake(),
    now: () => clock.now(),
  });
  await connect.listen({ host: "127.0.0.1", port: connectPort });
  const mail = createMailApp({ config, database: t.database, logger: silent });
  await mail.listen({ host: "127.0.0.1", port: mailPort });
  return {
    connect,
    connectUrl,
    mail,
    mailUrl,
    background,
    clock,
    async close() {
      await connect.close();
      await mail.close();
      await background.stop();
    },
  };
}

/**
 * Stops Connect and starts it again on the same database with other options (a new key ring),
 * in place: `servers` (and every helper holding it) then talks to the new instance. New ports:
 * the old ones' keep-alive sockets in fetch's pool must not be reused.
 */
export async function restartConnect(
  servers: ConnectServers,
  t: TestDatabase,
  identity: IdentityServer,
  options: ConnectOptions = {},
): Promise<void> {
  await servers.close();
  Object.assign(servers, await startConnect(t, identity, options));
}

export interface ConnectedWorld extends ConsentWorld {
  /** The CRM's registration at the identity provider (multi-tenant, confidential). */
  providerApp: { appId: string; secret: string; application: Application };
  /** The Connect application of the CRM's developer. */
  connectApp: { id: string; apiKey: string };
  api(
    method: string,
    path: string,
    body?: unknown,
    apiKey?: string,
  ): Promise<{ status: number; body: any }>;
}

/** The providers a test connector can use against Assent Identity. */
export type TestProvider = "microsoft" | "assent";

/**
 * The connector Connect is given for `provider`: `microsoft` with Identity as its authority, or
 * `assent` discovered from the tenant's issuer, asking for Mail.Read so the passthrough works.
 */
function connectorFor(
  provider: TestProvider,
  identity: IdentityServer,
  w: ConsentWorld,
  client: { client_id: string; client_secret: string },
) {
  if (provider === "assent")
    return {
      provider,
      settings: { ...client, issuer: w.issuer },
      scope: ["openid", "profile", "email", "offline_access", "Mail.Read"],
    };
  return { provider, settings: { ...client, authority: identity.baseUrl, tenant: w.tenant.id } };
}

/**
 * An organisation (ConsentWorld: megan, an admin) whose mail a publisher's CRM wants, the CRM
 * registered at Identity with Connect's callback as its redirect URI, and a Connect application
 * for the CRM with a connector for `provider` (default `microsoft`, pointed at Identity's
 * Entra-shaped endpoints; `assent`, the tenant's issuer discovered).
 */
export async function seedConnectedWorld(
  t: TestDatabase,
  identity: IdentityServer,
  servers: ConnectServers,
  slug: string,
  settings: Partial<ConsentSettings> = {},
  provider: TestProvider = "microsoft",
): Promise<ConnectedWorld> {
  const w = await seedWorld(t, identity, slug, settings);
  const crm = await createApplication(
    t.database.db,
    w.publisher.id,
    {
      displayName: "Northwind CRM (Connect)",
      signInAudience: "AzureADMultipleOrgs",
      redirectUris: [`${servers.connectUrl}/v3/connect/callback`],
    },
    CLI_ACTOR,
  );
  const { secret } = await addClientSecret(
    t.database.db,
    w.publisher.id,
    crm.id,
    { displayName: "connect" },
    CLI_ACTOR,
  );
  const created = await createConnectApplication(connectDb(t.database), {
    name: "Northwind CRM",
    callbackUris: [APP_CALLBACK],
  });
  const api = async (method: string, path: string, body?: unknown, apiKey = created.apiKey) => {
    const response = await fetch(`${servers.connectUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json().catch(() => undefined) };
  };
  const connector = await api(
    "POST",
    "/v3/connectors",
    connectorFor(provider, identity, w, { client_id: crm.appId, client_secret: secret }),
  );
  if (connector.status !== 201) throw new Error(`connector: ${JSON.stringify(connector.body)}`);
  const domain = `${slug}.example`;
  await addHostedDomain(t.database.db, domain, w.tenant.id);
  await deliver(t.database.db, {
    from: { address: "lee@fabrikam.example", name: "Lee Gu" },
    toRecipients: [{ address: w.megan.userPrincipalName }],
    subject: "Renewal signed",
    body: { contentType: "text", content: "Fabrikam signed the renewal this morning." },
  });
  return {
    ...w,
    providerApp: { appId: crm.appId, secret, application: crm },
    connectApp: { id: created.id, apiKey: created.apiKey },
    api,
  };
}

/** A webhook receiver: answers Nylas challenges, records every POST. */
export interface Receiver {
  url: string;
  received: Array<{ headers: Record<string, string>; body: string }>;
  /** Resolves with the first received event of `type` (polling; the outbox delivers soon). */
  waitFor(
    type: string,
    timeoutMs?: number,
  ): Promise<{ headers: Record<string, string>; body: string }>;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = "";
    request.on("data", (chunk) => {
      data += chunk;
    });
    request.on("end", () => resolve(data));
  });
}

export async function startReceiver(): Promise<Receiver> {
  const received: Receiver["received"] = [];
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (request.method === "GET") {
      response.end(url.searchParams.get("challenge") ?? "");
      return;
    }
    const body = await readBody(request);
    received.push({ headers: request.headers as Record<string, string>, body });
    response.end("ok");
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : 0);
    }),
  );
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    async waitFor(type, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const hit = received.find((r) => JSON.parse(r.body).type === type);
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(
        `no ${type} webhook arrived; got ${received.map((r) => JSON.parse(r.body).type).join(", ")}`,
      );
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
