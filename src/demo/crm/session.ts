import { randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";

/**
 * The demo app's state in the person's browser, in signed cookies (no database): who is
 * connected (a Connect grant), or which approval they wait for; the `state` of a connection in
 * progress; and the CSRF token its forms carry. Names are prefixed: on `localhost` every
 * port's cookies share one jar with Identity's and Connect's.
 */

const SESSION = "northwind_crm_session";
const OAUTH = "northwind_crm_oauth";
const CSRF = "northwind_crm_csrf";

const Session = z.object({
  grant: z.object({ id: z.string(), email: z.string() }).optional(),
  pending: z
    .object({
      outcome: z.enum(["approval_requested", "admin_approval_required"]),
      email: z.string(),
      approvalId: z.string().optional(),
    })
    .optional(),
});
export type CrmSession = z.infer<typeof Session>;

const Attempt = z.object({ state: z.string(), loginHint: z.string().optional() });
export type ConnectionAttempt = z.infer<typeof Attempt>;

/** A connection attempt is good for a quarter of an hour. */
const ATTEMPT_SECONDS = 15 * 60;

function options(secure: boolean, maxAge?: number) {
  return {
    path: "/",
    httpOnly: true,
    sameSite: "lax" as const,
    secure,
    signed: true,
    ...(maxAge ? { maxAge } : {}),
  };
}

function readSigned<T>(request: FastifyRequest, name: string, schema: z.ZodType<T>): T | undefined {
  const raw = request.cookies[name];
  if (!raw) return undefined;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(unsigned.value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Cookie access for one app instance (`secure` when it is served over https). */
export function sessionStore(secure: boolean) {
  return {
    read: (request: FastifyRequest): CrmSession => readSigned(request, SESSION, Session) ?? {},
    write(reply: FastifyReply, session: CrmSession) {
      reply.setCookie(SESSION, JSON.stringify(session), options(secure));
    },
    clear(reply: FastifyReply) {
      reply.clearCookie(SESSION, { path: "/" });
    },

    /** Starts a connection attempt: a fresh `state` remembered for the callback. */
    beginAttempt(reply: FastifyReply, loginHint: string | undefined): string {
      const state = randomBytes(24).toString("base64url");
      const attempt: ConnectionAttempt = { state, ...(loginHint ? { loginHint } : {}) };
      reply.setCookie(OAUTH, JSON.stringify(attempt), options(secure, ATTEMPT_SECONDS));
      return state;
    },
    /** The attempt whose `state` came back, consumed; undefined for a forged or stale one. */
    endAttempt(
      request: FastifyRequest,
      reply: FastifyReply,
      state: string | undefined,
    ): ConnectionAttempt | undefined {
      const attempt = readSigned(request, OAUTH, Attempt);
      reply.clearCookie(OAUTH, { path: "/" });
      if (!attempt || !state || !same(attempt.state, state)) return undefined;
      return attempt;
    },

    /** The CSRF token for this browser's forms, set when it has none. */
    csrfToken(request: FastifyRequest, reply: FastifyReply): string {
      const existing = readSigned(request, CSRF, z.string());
      if (existing) return existing;
      const token = randomBytes(24).toString("base64url");
      reply.setCookie(CSRF, JSON.stringify(token), options(secure));
      return token;
    },
    /** Whether a form's token is this browser's (double submit of a signed cookie). */
    csrfValid(request: FastifyRequest, submitted: unknown): boolean {
      const expected = readSigned(request, CSRF, z.string());
      return typeof submitted === "string" && expected !== undefined && same(expected, submitted);
    },
  };
}

export type SessionStore = ReturnType<typeof sessionStore>;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
