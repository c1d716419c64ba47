export { ApiError, type ApiErrorBody, sendApiError, toApiError } from "./errors.ts";
export { createHttpServer, type HttpServerOptions } from "./server.ts";
