import { expect } from "vitest";
import { connectDb, createConnectApplication } from "../../../src/connect/index.ts";
import type { ConnectServers } from "../../connect/support/connect-world.ts";
import type { TestDatabase } from "../../support/databases.ts";

/** One Connect application with one object of every kind its API serves, all marked. */
export interface ConnectTenant {
  id: string;
  apiKey: string;
  marker: string;
  /** Route parameter values that name this application's objects, by parameter name. */
  params: Record<string, string>;
  /** Strings of this application that must never appear in another application's answers. */
  secrets: string[];
}

export async function connectCall(
  servers: ConnectServers,
  method: string,
  path: string,
  apiKey: string | undefined,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: answers of many shapes, read by tests.
): Promise<{ status: number; text: string; body: any }> {
  const response = await fetch(`${servers.connectUrl}${path}`, {
    method,
    redirect: "manual",
    headers: {
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, body: json };
}

/**
 * A Connect application with a connector, a callback URI, a webhook destination (its challenge
 * answered by `receiverUrl`), a grant and a pending approval. Grants and approvals are written
 * as the hosted auth flow writes them (rows), since a flow per application would only slow the
 * test down: what is tested is who may read them.
 */
export async function seedConnectTenant(
  t: TestDatabase,
  servers: ConnectServers,
  name: string,
  receiverUrl: string,
): Promise<ConnectTenant> {
  const marker = `${name}-Secret-Marker`;
  const callback = `https://${name.toLowerCase()}.example/connected`;
  const created = await createConnectApplication(connectDb(t.database), {
    name: `${marker} app`,
    callbackUris: [callback],
  });
  const call = (method: string, path: string, body?: unknown) =>
    connectCall(servers, method, path, created.apiKey, body);
  const clientId = crypto.randomUUID();
  const connector = await call("POST", "/v3/connectors", {
    provider: "microsoft",
    settings: { client_id: clientId, client_secret: `${marker}-client-secret`, tenant: "common" },
  });
  expect(connector.status, connector.text).toBe(201);
  const webhook = await call("POST", "/v3/webhooks", {
    webhook_url: `${receiverUrl}?app=${name}`,
    trigger_types: ["grant.created"],
    description: `${marker} hook`,
  });
  expect(webhook.status, webhook.text).toBeLessThan(300);
  const db = connectDb(t.database);
  const grant = await db
    .insertInto("connect.grants")
    .values({
      application_id: created.id,
      provider: "microsoft",
      email: `megan@${name.toLowerCase()}.example`,
      name: `${marker} Megan`,
      provider_tenant: crypto.randomUUID(),
      scope: JSON.stringify(["Mail.Read"]),
      settings: JSON.stringify({}),
    } as never)
    .returning("id")
    .executeTakeFirstOrThrow();
  const approval = await db
    .insertInto("connect.pending_approvals")
    .values({
      application_id: created.id,
      provider: "microsoft",
      provider_tenant: crypto.randomUUID(),
      email: `nestor@${name.toLowerCase()}.example`,
      outcome: "admin_approval_required",
      error_code: "AADSTS90094",
      error_description: `${marker} approval`,
      redirect_uri: callback,
      scope: JSON.stringify(["Mail.Read"]),
    } as never)
    .returning("id")
    .executeTakeFirstOrThrow();
  const webhookId = webhook.body.data.id as string;
  return {
    id: created.id,
    apiKey: created.apiKey,
    marker,
    params: {
      id: "",
      provider: "microsoft",
      grant: grant.id,
      approval: approval.id,
      webhook: webhookId,
      redirectUri: Buffer.from(callback).toString("base64url"),
      messageId: crypto.randomUUID(),
      eventId: crypto.randomUUID(),
      connectorId: (connector.body.data?.id as string | undefined) ?? "",
    },
    secrets: [created.id, clientId, grant.id, approval.id, webhookId, callback, created.apiKey],
  };
}

/**
 * Every route the Connect app serves, as "METHOD /path/:param", read from Fastify's own route
 * tree, so a route added later is seen by the isolation test without editing it.
 */
export function connectRoutes(servers: ConnectServers): string[] {
  const tree = servers.connect.printRoutes({ commonPrefix: false });
  const out: string[] = [];
  const stack: Array<{ depth: number; prefix: string }> = [];
  for (const line of tree.split("\n")) {
    const m = /^([\s│]*)(?:[└├]── )(\S+)(?: \(([^)]+)\))?/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? "").length;
    while (stack.length > 0 && (stack.at(-1)?.depth ?? 0) >= depth) stack.pop();
    const prefix = `${stack.at(-1)?.prefix ?? ""}${m[2]}`;
    stack.push({ depth, prefix });
    for (const method of (m[3] ?? "").split(",").map((s) => s.trim()))
      if (method && method !== "HEAD" && method !== "OPTIONS") out.push(`${method} ${prefix}`);
  }
  return [...new Set(out)].sort();
}
