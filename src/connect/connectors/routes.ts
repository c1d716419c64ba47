import type { FastifyInstance } from "fastify";
import { applicationIdOf } from "../applications/index.ts";
import type { ConnectContext } from "../context.ts";
import { notFound } from "../http/errors.ts";
import { CreateConnectorBody, UpdateConnectorBody } from "./connector-settings.ts";
import {
  connectorView,
  createConnector,
  deleteConnector,
  listConnectors,
  providerOf,
  requireConnector,
  updateConnector,
} from "./connectors.ts";

type ProviderParams = { Params: { provider: string } };

/** `/v3/connectors`: the provider apps an application connects through (Nylas v3 shape). */
export function connectorRoutes(ctx: ConnectContext) {
  const { db, keyRing } = ctx;
  return async (app: FastifyInstance) => {
    app.post("/v3/connectors", async (request, reply) => {
      const body = CreateConnectorBody.parse(request.body);
      const c = await createConnector(db, keyRing, applicationIdOf(request), body);
      return reply.status(201).send({ request_id: request.id, data: connectorView(c) });
    });
    app.get("/v3/connectors", async (request) => {
      const list = await listConnectors(db, keyRing, applicationIdOf(request));
      return { request_id: request.id, data: list.map(connectorView) };
    });
    app.get<ProviderParams>("/v3/connectors/:provider", async (request) => {
      const provider = providerOf(request.params.provider);
      const c = await requireConnector(db, keyRing, applicationIdOf(request), provider);
      return { request_id: request.id, data: connectorView(c) };
    });
    app.patch<ProviderParams>("/v3/connectors/:provider", async (request) => {
      const provider = providerOf(request.params.provider);
      const body = UpdateConnectorBody.parse(request.body ?? {});
      const c = await updateConnector(db, keyRing, applicationIdOf(request), provider, body);
      ctx.providers.forget(c.id);
      return { request_id: request.id, data: connectorView(c) };
    });
    app.delete<ProviderParams>("/v3/connectors/:provider", async (request) => {
      const provider = providerOf(request.params.provider);
      if (!(await deleteConnector(db, applicationIdOf(request), provider)))
        throw notFound(`This application has no ${provider} connector.`);
      return { request_id: request.id };
    });
  };
}
