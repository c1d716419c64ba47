export { ApiError, type ApiErrorBody, sendApiError, toApiError } from "./errors.ts";
export { COPY_BUTTON_SCRIPT, cspHashOf, PAGE_SCRIPT_HASHES } from "./page-scripts.ts";
export { createHttpServer, type HttpServerOptions, type RequestInterceptor } from "./server.ts";
