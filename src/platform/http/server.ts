import { randomUUID } from "node:crypto";
import {
  createServer as createNodeServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import helmet from "@fastify/helmet";
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from "fastify";
import type { Logger } from "pino";
import { ApiError, sendApiError } from "./errors.ts";
import { PAGE_SCRIPT_HASHES } from "./page-scripts.ts";

/**
 * A lane in front of Fastify's router for the few hottest requests (the token endpoint, see
 * src/identity/oauth/protocol-routes.ts): `handle` either answers a request itself and returns
 * true, or returns false and Fastify serves it. Empty until its owner fills it in.
 */
export interface RequestInterceptor {
  handle?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface HttpServerOptions {
  /** Service name, in logs and the `server` of health answers. */
  service: string;
  logger: Logger;
  trustProxy?: boolean;
  /** `GET /readyz` answers 200 only when this resolves true (e.g. the database answers). */
  ready?: () => Promise<boolean>;
  bodyLimit?: number;
  /**
   * Content-Security-Policy; the default allows same-origin only (plus the inline page scripts
   * of page-scripts.ts, by hash) and forbids framing.
   */
  contentSecurityPolicy?: Record<string, string[]>;
  /**
   * The service's own error writer, for a service whose API has another error shape (Connect
   * speaks Nylas's). Default: the admin-API envelope (`sendApiError`).
   */
  sendError?: (request: FastifyRequest, reply: FastifyReply, error: unknown) => FastifyReply;
  /** The service's own answer to an unknown route. Default: 404 `route.not_found` in the admin-API envelope. */
  sendNotFound?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
  /** Offered every request before Fastify's router; not while the server is closing. */
  interceptor?: RequestInterceptor;
}

// Ids, slugs and domains fit easily; a longer path segment is refused with 414.
const MAX_PARAM_LENGTH = 500;

function routerError(error: { code?: string }): ApiError {
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH")
    return new ApiError(
      414,
      "request.uri_too_long",
      `A part of this URL's path is longer than ${MAX_PARAM_LENGTH} characters: check the link or the id in it.`,
    );
  if (error.code === "FST_ERR_BAD_URL")
    return new ApiError(
      400,
      "request.invalid_url",
      "This URL is not valid (its percent-encoding is malformed): check the link.",
    );
  return new ApiError(400, "request.invalid", "This request could not be routed: check the URL.");
}

// 1 MiB: admin API and form bodies are small; larger bodies are refused before parsing.
const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * The Fastify factory every service uses: request ids (echoed in `x-request-id`), structured
 * logs, security headers, the admin-API error envelope (or the service's own: `sendError`,
 * `sendNotFound`), `GET /healthz` and `GET /readyz`.
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const fastifyOptions: FastifyServerOptions = {
    loggerInstance: options.logger.child({ service: options.service }),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    genReqId: () => randomUUID(),
    // One log line per request, written by the onResponse hook below.
    logController: new LogController({
      requestIdLogLabel: "request_id",
      disableRequestLogging: true,
    }),
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: MAX_PARAM_LENGTH },
    // URLs the router refuses before any route runs: the service's own error shape, in words,
    // without echoing the (possibly 10k-character) path back.
    frameworkErrors: (error, request, reply) =>
      (options.sendError ?? sendApiError)(request, reply, routerError(error)),
  };
  const interceptor = options.interceptor;
  let closing = false;
  if (interceptor) {
    // The server Fastify would make (lib/server.js), with the interceptor before its handler.
    fastifyOptions.serverFactory = (handler, fastifyOpts) => {
      const opts = fastifyOpts as {
        keepAliveTimeout?: number;
        requestTimeout?: number;
        connectionTimeout?: number;
        maxRequestsPerSocket?: number;
      };
      const server = createNodeServer((req, res) => {
        if (closing || !interceptor.handle?.(req, res)) handler(req, res);
      });
      if (opts.keepAliveTimeout !== undefined) server.keepAliveTimeout = opts.keepAliveTimeout;
      if (opts.requestTimeout !== undefined) server.requestTimeout = opts.requestTimeout;
      if (opts.connectionTimeout !== undefined) server.setTimeout(opts.connectionTimeout);
      if (opts.maxRequestsPerSocket) server.maxRequestsPerSocket = opts.maxRequestsPerSocket;
      return server;
    };
  }
  const app = Fastify(fastifyOptions) as unknown as FastifyInstance;
  // While closing, Fastify answers 503 (return503OnClosing): the interceptor steps aside.
  if (interceptor)
    app.addHook("preClose", async () => {
      closing = true;
    });

  app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: options.contentSecurityPolicy ?? {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        // Same-origin scripts, and the page scripts allowed by their hash (page-scripts.ts).
        "script-src": ["'self'", ...PAGE_SCRIPT_HASHES],
        "form-action": ["'self'", "https:", "http://localhost:*", "http://127.0.0.1:*"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
      },
    },
    // X-Frame-Options for browsers without CSP frame-ancestors: DENY, as 'none' says above.
    frameguard: { action: "deny" },
    // Token responses and pages must not leak to other origins through Referer.
    referrerPolicy: { policy: "no-referrer" },
    crossOriginEmbedderPolicy: false,
    hsts: false,
  });

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      "request",
    );
  });

  const sendError = options.sendError ?? sendApiError;
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler(
    options.sendNotFound ??
      ((request, reply) =>
        reply.status(404).send({
          error: {
            code: "route.not_found",
            message: `No route ${request.method} ${request.url.split("?")[0]}.`,
          },
          request_id: request.id,
        })),
  );

  app.get("/healthz", async () => ({ status: "ok", service: options.service }));
  app.get("/readyz", async (_request, reply) => {
    const ok = options.ready ? await options.ready().catch(() => false) : true;
    return reply
      .status(ok ? 200 : 503)
      .send({ status: ok ? "ready" : "unavailable", service: options.service });
  });
  return app;
}
