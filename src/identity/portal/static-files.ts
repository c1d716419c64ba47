import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";
import { PORTAL_CALLBACK_PATH } from "./portal-app.ts";

/**
 * The built portal (web/portal/dist, made by `npm run build:portal`) served by Identity:
 * hashed assets under `/portal/assets/`, and the SPA's index.html for every page under
 * `/{tenant}/portal/…` (the SPA routes in the browser, so a deep link from an email opens its
 * page after sign-in) and for the sign-in callback.
 *
 * The pages get a stricter Content-Security-Policy than the server-rendered ones: scripts and
 * styles from the same origin only, never inline, no framing; the API is same-origin.
 */
export const PORTAL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

// Vite's output names: letters, digits, dashes, underscores and dots; never a path.
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

const NOT_BUILT =
  "The admin portal has not been built. Run `npm run build:portal` (npm start and npm test do it for you), then reload this page.";

async function readOrUndefined(path: string): Promise<Buffer | undefined> {
  return readFile(path).catch(() => undefined);
}

export async function portalStaticRoutes(
  app: FastifyInstance,
  options: { distDir: string },
): Promise<void> {
  const { distDir } = options;

  const sendIndex = async (reply: FastifyReply) => {
    const html = await readOrUndefined(join(distDir, "index.html"));
    reply.header("content-security-policy", PORTAL_CSP).header("cache-control", "no-store");
    if (!html) return reply.code(503).type("text/plain; charset=utf-8").send(NOT_BUILT);
    return reply.type("text/html; charset=utf-8").send(html);
  };

  app.get<{ Params: { file: string } }>("/portal/assets/:file", async (request, reply) => {
    const { file } = request.params;
    const type = TYPES[extname(file)];
    const body =
      ASSET_NAME.test(file) && type
        ? await readOrUndefined(join(distDir, "assets", file))
        : undefined;
    if (!body || !type)
      return reply.code(404).send({
        error: { code: "portal.asset_not_found", message: `No portal asset "${file}".` },
        request_id: request.id,
      });
    // Names carry a content hash: a changed file has a new name.
    return reply
      .type(type)
      .header("cache-control", "public, max-age=31536000, immutable")
      .send(body);
  });
  app.get(PORTAL_CALLBACK_PATH, (_request, reply) => sendIndex(reply));
  app.get("/:tenant/portal", (_request, reply) => sendIndex(reply));
  app.get("/:tenant/portal/*", (_request, reply) => sendIndex(reply));
}
