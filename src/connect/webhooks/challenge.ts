import { randomBytes } from "node:crypto";
import { webhookTargetProblem } from "../../platform/webhooks/index.ts";
import { badRequest } from "../http/errors.ts";

// 10 seconds, as Nylas allows a destination to answer its challenge.
const CHALLENGE_TIMEOUT_MS = 10_000;

/**
 * Nylas's challenge verification: before a destination is saved, Connect sends
 * `GET <url>?challenge=<random>` and the receiver must answer 200 with exactly that value, so
 * only someone who controls the URL can subscribe it.
 */
export async function verifyChallenge(url: string, allowLoopback: boolean): Promise<void> {
  const problem = webhookTargetProblem(url, { allowLoopback });
  if (problem) throw badRequest(`webhook_url: ${problem}`);
  const challenge = randomBytes(16).toString("hex");
  const target = new URL(url);
  target.searchParams.set("challenge", challenge);
  let answer: string;
  try {
    const response = await fetch(target, {
      redirect: "manual",
      signal: AbortSignal.timeout(CHALLENGE_TIMEOUT_MS),
    });
    answer = response.status === 200 ? (await response.text()).trim() : `HTTP ${response.status}`;
  } catch (error) {
    throw badRequest(`webhook_url did not answer the challenge: ${(error as Error).message}.`);
  }
  if (answer !== challenge)
    throw badRequest(
      "webhook_url did not answer the challenge: it must respond to GET ?challenge=<value> with status 200 and exactly that value in the body.",
    );
}
