import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { type CrmDeps, createCrmApp } from "./app.ts";

/**
 * The demo app "Northwind CRM — a CRM that wants to read your mail", run by `assent start`
 * only (never a deployable service). It uses Assent Connect over HTTP with its API key, through
 * the official `nylas` SDK, as any Nylas v3 customer would.
 *
 * - `createCrmApp(deps)`: the HTTP app.
 * - `startDemoCrm(deps, listen)`: the app, listening.
 */
export { type CrmDeps, createCrmApp };

export interface RunningDemoCrm {
  app: FastifyInstance;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts the demo app on `listen.host`:`listen.port`.
 *
 * @example
 * const crm = await startDemoCrm({ logger, publicUrl, connectUrl, applicationId, apiKey },
 *   { host: "127.0.0.1", port: 4300 });
 */
export async function startDemoCrm(
  deps: CrmDeps,
  listen: { host: string; port: number },
): Promise<RunningDemoCrm> {
  const app = createCrmApp(deps);
  await app.listen(listen);
  return {
    app,
    port: (app.server.address() as AddressInfo).port,
    stop: () => app.close(),
  };
}
