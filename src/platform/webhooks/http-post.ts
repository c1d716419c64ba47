import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";

export interface PostResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** The start of the body, at most `excerptBytes`, decoded as UTF-8. */
  excerpt: string;
}

/**
 * POSTs `body` and resolves with the status and the start of the response. Redirects are not
 * followed (Standard Webhooks: a 3xx is a failure; following it would also bypass the target
 * checks). Only the first `excerptBytes` of the response are read, then the connection is cut,
 * so a hostile receiver cannot stream gigabytes at us. The whole exchange — connecting,
 * sending, receiving — must finish within `timeoutMs`.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; lookup: LookupFunction; excerptBytes: number },
): Promise<PostResult> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const signal = AbortSignal.timeout(options.timeoutMs);
    const request = send(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: options.lookup,
        // A fresh connection per delivery: nothing pooled outlives the address check.
        agent: false,
        signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            excerpt: Buffer.concat(chunks).subarray(0, options.excerptBytes).toString("utf8"),
          });
        };
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= options.excerptBytes) {
            response.destroy();
            finish();
          }
        });
        response.on("end", finish);
        response.on("error", () => finish());
      },
    );
    request.on("error", (error) => {
      reject(
        signal.aborted
          ? new Error(`the receiver did not answer within ${options.timeoutMs} ms`)
          : error,
      );
    });
    request.end(body);
  });
}
