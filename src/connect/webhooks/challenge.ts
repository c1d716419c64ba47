import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { createGuardedLookup, webhookTargetProblem } from "../../platform/webhooks/index.ts";
import { badRequest } from "../http/errors.ts";

// 10 seconds, as Nylas allows a destination to answer its challenge.
const CHALLENGE_TIMEOUT_MS = 10_000;
// The answer is the 32-character challenge; anything much longer is not it.
const ANSWER_MAX_BYTES = 1024;

export interface ChallengeOptions {
  /** Loopback targets allowed (outside production), as for deliveries. */
  allowLoopback: boolean;
  /**
   * The address check at connect time; defaults to the one deliveries use
   * (createGuardedLookup), which refuses a name resolving to a loopback (in production),
   * link-local, private or otherwise reserved address. Tests pass one with their own resolver.
   */
  lookup?: LookupFunction | undefined;
}

/**
 * Nylas's challenge verification: before a destination is saved, Connect sends
 * `GET <url>?challenge=<random>` and the receiver must answer 200 with exactly that value, so
 * only someone who controls the URL can subscribe it. The GET is guarded exactly as deliveries
 * are: the URL is checked, then the addresses its host resolves to are checked when the socket
 * connects, and redirects are not followed, so verifying a URL cannot be used to probe this
 * machine, the cloud metadata service or the private network.
 *
 * @example
 * await verifyChallenge("https://crm.example/hooks", { allowLoopback: false });
 */
export async function verifyChallenge(url: string, options: ChallengeOptions): Promise<void> {
  const policy = { allowLoopback: options.allowLoopback };
  const problem = webhookTargetProblem(url, policy);
  if (problem) throw badRequest(`webhook_url: ${problem}`);
  const challenge = randomBytes(16).toString("hex");
  const target = new URL(url);
  target.searchParams.set("challenge", challenge);
  let answer: string;
  try {
    const response = await getAnswer(target, options.lookup ?? createGuardedLookup(policy));
    answer = response.status === 200 ? response.body.trim() : `HTTP ${response.status}`;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === "EADDRREFUSED") throw badRequest(`webhook_url: ${e.message}.`);
    throw badRequest(`webhook_url did not answer the challenge: ${e.message}.`);
  }
  if (answer !== challenge)
    throw badRequest(
      "webhook_url did not answer the challenge: it must respond to GET ?challenge=<value> with status 200 and exactly that value in the body.",
    );
}

/** One GET through `lookup`, on a fresh connection, reading at most ANSWER_MAX_BYTES. */
function getAnswer(target: URL, lookup: LookupFunction): Promise<{ status: number; body: string }> {
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const signal = AbortSignal.timeout(CHALLENGE_TIMEOUT_MS);
    const request = send(
      target,
      // A fresh connection: nothing pooled outlives the address check.
      { method: "GET", lookup, agent: false, signal },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).subarray(0, ANSWER_MAX_BYTES).toString("utf8"),
          });
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= ANSWER_MAX_BYTES) {
            response.destroy();
            finish();
          }
        });
        response.on("end", finish);
        response.on("error", finish);
      },
    );
    request.on("error", (error) =>
      reject(
        signal.aborted
          ? new Error(`no answer within ${CHALLENGE_TIMEOUT_MS / 1000} seconds`)
          : error,
      ),
    );
    request.end();
  });
}
