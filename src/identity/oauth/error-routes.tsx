import type { FastifyInstance } from "fastify";
import { ErrorCodePage, renderPage, UnknownErrorCodePage } from "../pages/index.ts";
import { ERROR_CATALOG } from "./error-catalog.ts";

/**
 * `GET /error?code=N`: what an error code means, for the people who meet it (every
 * `error_uri` points here). Accepts `AST50126`, `AADSTS50126` or `50126`.
 */
export async function errorRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { code?: string } }>("/error", async (request, reply) => {
    const raw = String(request.query.code ?? "").trim();
    const code = Number(raw.replace(/^(AADSTS|AST)/i, ""));
    const entry = Number.isInteger(code) ? ERROR_CATALOG[code] : undefined;
    reply.type("text/html; charset=utf-8");
    if (!entry)
      return reply.code(404).send(renderPage(<UnknownErrorCodePage code={raw.slice(0, 40)} />));
    return reply.send(renderPage(<ErrorCodePage code={code} {...entry} />));
  });
}
