import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addHostedDomain, deliver, mailDb } from "../../src/mail/index.ts";
import { mailApp } from "../mail/support/mail-fixture.ts";
import {
  appOnlyToken,
  directoryUser,
  startTestIssuer,
  type TestIssuer,
} from "../mail/support/test-issuer.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import { anyJson, expectSane, nasty, RUNS } from "./support/fuzz-harness.ts";

/**
 * Property-based fuzzing of Mail's Graph-shaped API (every route Fastify serves under /v1.0,
 * plus methods and paths it does not serve) against a listening server: hostile path values
 * and ids, OData query options, headers, content types and JSON bodies for sendMail and PATCH,
 * sent with valid tokens, forged or broken tokens, tokens of another tenant or for another
 * mailbox, and tokens lacking the permission. Every answer must pass the harness
 * (support/fuzz-harness.ts); every error must be in Graph's shape with a 4xx; no answer may carry
 * another mailbox's or tenant's mail; and a refused write must leave the stored mail unchanged.
 */

// What a leak looks like in Mail's answers, beyond the harness's own list.
const MAIL_LEAKS = [
  /\/src\/mail\//,
  /generalException/,
  /invalid byte sequence|low surrogate|invalid input syntax/i,
];
const GRAPH_4XX = [400, 401, 403, 404, 405, 413, 414, 415];

/** Any string as one path segment: its UTF-8 bytes percent-encoded (lone surrogates too). */
function segment(value: string): string {
  return [...Buffer.from(value, "utf8")]
    .map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`)
    .join("");
}

/** A header value fetch will send: bytes outside Latin-1 (and CR, LF, NUL) become "?". */
function headerSafe(value: string): string {
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?").trim();
}

/** A URL as the server may read it back, for "did the request itself carry this id". */
function decoded(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

const TOKEN_CHARS = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Headers fetch sets itself, or that the property sets on purpose.
const FETCH_MANAGED =
  /^(host|content-length|transfer-encoding|connection|authorization|content-type|upgrade|expect|keep-alive|te|trailer)$/i;

/** A base64url JWT segment. */
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

async function call(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, {
    redirect: "manual",
    ...init,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** One raw HTTP/1.1 request over a socket (what fetch refuses to send); the status line's code. */
function rawRequest(port: number, head: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.setTimeout(30_000, () => socket.destroy(new Error("raw request timed out")));
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
    // The server closes after answering (Connection: close); ending our side first could make
    // it drop a request whose answer is still being worked out.
    socket.write(Buffer.from(head.replace("\r\n", "\r\nConnection: close\r\n"), "latin1"));
  });
}

/** A caller of the fuzzed requests, and what it may see and change. */
interface Principal {
  name: string;
  authorization: string | undefined;
  /** Markers this caller may be shown (subjects and bodies of mail it may read). */
  sees: string[];
  /** The mailbox whose messages it may change (PATCH isRead) and send from, if any. */
  owns?: string;
  /** That mailbox's address: mail it sends is from this address and no other. */
  sendsAs?: string;
  /** What a known GET route must answer before anything else: 401 (token) or 403 (permission). */
  refusedWith?: 401 | 403;
}

interface Mailbox {
  address: string;
  oid: string;
  tenantId: string;
  subject: string;
  body: string;
  messageIds: string[];
  mailboxId: string;
}

type Row = Record<string, unknown>;

describe.each(["pglite", "postgres"] as const)("Mail API fuzzing on %s", (kind) => {
  let t: TestDatabase | undefined;
  let issuer: TestIssuer;
  let app: FastifyInstance;
  let base: string;
  let port: number;
  let alice: Mailbox;
  let bob: Mailbox;
  let carol: Mailbox;
  let principals: Principal[];
  const routes: string[] = [];

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    issuer = await startTestIssuer();
    if (!t) return;
    const tenantA = await issuer.addTenant();
    const tenantB = await issuer.addTenant();
    const domainA = `fuzz-a-${randomUUID().slice(0, 8)}.example`;
    const domainB = `fuzz-b-${randomUUID().slice(0, 8)}.example`;
    await addHostedDomain(t.database.db, domainA, tenantA);
    await addHostedDomain(t.database.db, domainB, tenantB);

    app = mailApp(issuer, t.database);
    app.addHook("onRoute", (route) => {
      for (const method of [route.method].flat())
        if (route.url.startsWith("/v1.0/") && method !== "HEAD")
          routes.push(`${method} ${route.url}`);
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    port = (app.server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;

    // Three users with mail: two in tenant A, one in tenant B. Each signs in once, which binds
    // the mailbox to the user's object id.
    const seed = async (tenantId: string, address: string, label: string): Promise<Mailbox> => {
      const user = directoryUser(issuer, tenantId, address);
      const subject = `${label}-Subject-${randomUUID()}`;
      const body = `${label}-Body-${randomUUID()}`;
      for (const n of [1, 2])
        await deliver(t!.database.db, {
          from: { address: "sender@outside.example", name: "Sender" },
          toRecipients: [{ address }],
          subject: `${subject} ${n}`,
          body: { contentType: n === 1 ? "text" : "html", content: `<p>${body} ${n}</p>` },
        });
      const me = await call(`${base}/v1.0/me`, {
        headers: { authorization: `Bearer ${await user.token("User.Read")}` },
      });
      expect(me.status).toBe(200);
      const rows = await mailDb(t!.database)
        .selectFrom("mail.messages as m")
        .innerJoin("mail.mailboxes as b", "b.id", "m.mailbox_id")
        .select(["m.id", "b.id as mailboxId"])
        .where("b.address", "=", address)
        .execute();
      return {
        address,
        oid: user.oid,
        tenantId,
        subject,
        body,
        messageIds: rows.map((r) => r.id),
        mailboxId: rows[0]?.mailboxId as string,
      };
    };
    alice = await seed(tenantA, `alice@${domainA}`, "Alice");
    bob = await seed(tenantA, `bob@${domainA}`, "Bob");
    carol = await seed(tenantB, `carol@${domainB}`, "Carol");

    const delegated = (m: Mailbox, scp: string, claims: Record<string, unknown> = {}) =>
      issuer.token(m.tenantId, {
        oid: m.oid,
        sub: m.oid,
        scp,
        preferred_username: m.address,
        ...claims,
      });
    const bearer = (token: string) => `Bearer ${token}`;
    const now = Math.floor(Date.now() / 1000);
    const all = (...m: Mailbox[]) => m.flatMap((x) => [x.subject, x.body]);
    const subjects = (...m: Mailbox[]) => m.map((x) => x.subject);
    const unsigned = `${b64({ alg: "none", typ: "at+jwt" })}.${b64({
      iss: `${issuer.base}/${tenantA}/v2.0`,
      aud: "api://assent-mail",
      tid: tenantA,
      oid: alice.oid,
      scp: "Mail.ReadWrite",
      preferred_username: alice.address,
      exp: now + 3600,
    })}.`;
    const mallory = randomUUID();
    principals = [
      {
        name: "alice (Mail.ReadWrite Mail.Send)",
        authorization: bearer(await delegated(alice, "User.Read Mail.ReadWrite Mail.Send")),
        sees: all(alice),
        owns: alice.mailboxId,
        sendsAs: alice.address,
      },
      {
        name: "alice (Mail.ReadBasic: no bodies)",
        authorization: bearer(await delegated(alice, "Mail.ReadBasic")),
        sees: subjects(alice),
      },
      {
        name: "alice (Calendars.Read: no mail permission)",
        authorization: bearer(await delegated(alice, "Calendars.Read")),
        sees: [],
        refusedWith: 403,
      },
      {
        name: "carol of tenant B (Mail.ReadWrite Mail.Send)",
        authorization: bearer(await delegated(carol, "Mail.ReadWrite Mail.Send")),
        sees: all(carol),
        owns: carol.mailboxId,
        sendsAs: carol.address,
      },
      {
        name: "another user of tenant A naming bob's mailbox",
        authorization: bearer(
          await delegated(bob, "Mail.ReadWrite Mail.Send", { oid: mallory, sub: mallory }),
        ),
        sees: [],
      },
      {
        name: "a user of tenant B with alice's object id and address",
        authorization: bearer(
          await issuer.token(tenantB, {
            oid: alice.oid,
            sub: alice.oid,
            scp: "Mail.ReadWrite Mail.Send",
            preferred_username: alice.address,
          }),
        ),
        sees: [],
      },
      {
        name: "app of tenant A (Mail.Read.All)",
        authorization: bearer(await appOnlyToken(issuer, tenantA, ["Mail.Read.All"])),
        sees: all(alice, bob),
      },
      {
        name: "app of tenant A (Mail.ReadBasic.All)",
        authorization: bearer(await appOnlyToken(issuer, tenantA, ["Mail.ReadBasic.All"])),
        sees: subjects(alice, bob),
      },
      {
        name: "app of tenant A (no role)",
        authorization: bearer(await appOnlyToken(issuer, tenantA)),
        sees: [],
      },
      {
        name: "app of tenant B (Mail.Read.All)",
        authorization: bearer(await appOnlyToken(issuer, tenantB, ["Mail.Read.All"])),
        sees: all(carol),
      },
      { name: "no token", authorization: undefined, sees: [], refusedWith: 401 },
      ...(
        [
          ["garbage", "Bearer abc.def.ghi"],
          ["not Bearer", `Basic ${Buffer.from("alice:pw").toString("base64")}`],
          ["two tokens", `Bearer ${await delegated(alice, "Mail.Read")} x`],
          ["alg none", bearer(unsigned)],
          ["expired", bearer(await delegated(alice, "Mail.Read", { exp: now - 3600 }))],
          ["for the admin API", bearer(await delegated(alice, "Mail.Read", { aud: "api://x" }))],
          [
            "signed by an unpublished key",
            bearer(
              await issuer.token(
                tenantA,
                { oid: alice.oid, scp: "Mail.Read", preferred_username: alice.address },
                { key: await issuer.unpublishedKey() },
              ),
            ),
          ],
          [
            "tenant A's key claiming tenant B",
            bearer(
              await delegated(alice, "Mail.Read", {
                tid: tenantB,
                iss: `${issuer.base}/${tenantB}/v2.0`,
              }),
            ),
          ],
          [
            "tenant B's issuer in a tenant A token",
            bearer(await delegated(alice, "Mail.Read", { iss: `${issuer.base}/${tenantB}/v2.0` })),
          ],
          [
            "an ID token (typ JWT)",
            bearer(
              await issuer.token(
                tenantA,
                { oid: alice.oid, scp: "Mail.Read", preferred_username: alice.address },
                { typ: "JWT" },
              ),
            ),
          ],
        ] as const
      ).map(([name, authorization]) => ({
        name: `invalid token: ${name}`,
        authorization,
        sees: [],
        refusedWith: 401 as const,
      })),
    ];
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
    await t?.close();
  });

  const mailboxes = () => [alice, bob, carol];
  const messages = async (): Promise<Row[]> =>
    mailDb(t!.database)
      .selectFrom("mail.messages")
      .select([
        "id",
        "mailbox_id",
        "folder",
        "subject",
        "body_content",
        "is_read",
        "updated_at",
        "to_recipients",
        "from_address",
      ])
      .orderBy("id")
      .execute();

  /**
   * Every check on one answer. `request` is everything the request carried (ids and values it
   * sent may be echoed back).
   */
  function expectAnswer(
    who: Principal,
    method: string,
    path: string,
    answer: Answer,
    request: string,
    what: string,
  ) {
    expectSane(answer, what);
    for (const leak of MAIL_LEAKS) expect(answer.text, `${what}: leaks ${leak}`).not.toMatch(leak);
    // Nothing of a mailbox the caller may not read: no subject or body marker, no message id.
    const forbidden = mailboxes().flatMap((m) => [m.subject, m.body]);
    for (const marker of forbidden)
      if (!who.sees.includes(marker))
        expect(answer.text, `${what}: shows ${marker} to ${who.name}`).not.toContain(marker);
    for (const m of mailboxes())
      if (!who.sees.includes(m.subject))
        for (const id of m.messageIds)
          if (!request.toLowerCase().includes(id))
            expect(answer.text.toLowerCase(), `${what}: shows ${m.address}'s id`).not.toContain(id);
    // Errors: Graph's shape, a 4xx, the challenge on a 401.
    if (answer.status >= 400 && method !== "HEAD" && path.startsWith("/v1.0/")) {
      expect(GRAPH_4XX, `${what}: status ${answer.status}`).toContain(answer.status);
      const body = JSON.parse(answer.text);
      expect(body, `${what}: Graph's error shape`).toEqual({
        error: {
          code: expect.stringMatching(/^[A-Za-z]+$/),
          message: expect.any(String),
          innerError: expect.objectContaining({ "request-id": expect.any(String) }),
        },
      });
      expect(body.error.message.length, what).toBeGreaterThan(0);
      if (answer.status === 401) {
        expect(body.error.code, what).toBe("InvalidAuthenticationToken");
        expect(answer.headers.get("www-authenticate"), what).toMatch(/^Bearer /);
      }
      if (answer.status === 403)
        expect(["ErrorAccessDenied", "ErrorSendAsDenied"], what).toContain(body.error.code);
    }
  }

  /** Rows that were there before must be unchanged, but for a caller's own allowed PATCH. */
  function expectStoredMail(
    who: Principal,
    method: string,
    status: number,
    before: Row[],
    after: Row[],
    what: string,
  ) {
    const now = new Map(after.map((r) => [r.id, r]));
    for (const row of before) {
      const same = JSON.stringify(now.get(row.id)) === JSON.stringify(row);
      if (same) continue;
      expect(
        method === "PATCH" && status === 200 && row.mailbox_id === who.owns,
        `${what}: changed message ${row.id} of mailbox ${row.mailbox_id} (answer ${status})`,
      ).toBe(true);
    }
    if (status >= 400)
      expect(after.length, `${what}: a refused request stored mail`).toBe(before.length);
    // New mail comes only from an accepted sendMail, and only from the caller's own address.
    const old = new Set(before.map((r) => r.id));
    const added = after.filter((r) => !old.has(r.id));
    if (added.length > 0) {
      expect(method === "POST" && status === 202, `${what}: stored mail (answer ${status})`).toBe(
        true,
      );
      for (const row of added) expect(row.from_address, what).toBe(who.sendsAs);
    }
  }

  /** Sends one fuzzed request and runs every check on its answer and on the stored mail. */
  async function check(
    who: Principal,
    method: string,
    path: string,
    pairs: Array<[string, string]>,
    extraHeaders: Array<[string, string]>,
    payload?: { body: string; contentType: string },
  ): Promise<Answer> {
    const init: RequestInit & { headers: Record<string, string> } = { method, headers: {} };
    for (const [name, value] of extraHeaders)
      if (TOKEN_CHARS.test(name) && !FETCH_MANAGED.test(name))
        init.headers[name] = headerSafe(value);
    if (who.authorization) init.headers.authorization = who.authorization;
    if (payload) {
      init.body = payload.body;
      init.headers["content-type"] = headerSafe(payload.contentType);
    }
    const url = buildUrl(path, pairs);
    const what = `${who.name}: ${method} ${url.slice(base.length, base.length + 300)} ${payload ? `[${init.headers["content-type"]}] ${payload.body.slice(0, 300)}` : ""}`;
    const before = await messages();
    const answer = await call(url, init);
    const after = await messages();
    expectAnswer(who, method, path, answer, `${decoded(url)} ${payload?.body ?? ""}`, what);
    expectStoredMail(who, method, answer.status, before, after, what);
    return answer;
  }

  // Paths Mail does not serve: each must be a Graph error, never a 500 or another shape.
  const UNSERVED = [
    "POST /v1.0/me/messages",
    "DELETE /v1.0/me/messages/:id",
    "PUT /v1.0/me/messages/:id",
    "POST /v1.0/me/messages/:id/send",
    "POST /v1.0/me/mailFolders/:folder/messages",
    "POST /v1.0/users/:user/sendMail",
    "PATCH /v1.0/users/:user/messages/:id",
    "GET /v1.0/me/messages/:id/attachments",
    "GET /v1.0/me/mailFolders",
    "GET /v1.0/users/:user",
    "GET /v1.0/$metadata",
    "OPTIONS /v1.0/me/messages",
  ];
  const METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"];

  /** Path values: often a real one (own or someone else's), else hostile. */
  const pathValue = (name: string): fc.Arbitrary<{ encoded: string; routable: boolean }> => {
    const real: Record<string, string[]> = {
      user: mailboxes().flatMap((m) => [m.address, m.oid, m.address.toUpperCase()]),
      folder: ["inbox", "sentitems", "Inbox", "SentItems", "drafts", "deleteditems"],
      id: mailboxes().flatMap((m) => [...m.messageIds, m.messageIds[0]?.toUpperCase() ?? ""]),
    };
    return fc.oneof(
      fc
        .oneof(
          { weight: 3, arbitrary: fc.constantFrom(...(real[name] ?? ["x"])) },
          { weight: 2, arbitrary: nasty.map((s) => s.slice(0, 300)) },
          { weight: 1, arbitrary: fc.constant("y".repeat(501)) },
        )
        .map((v) => ({ encoded: segment(v || "x"), routable: (v || "x").length <= 500 })),
      // Raw, undecodable or traversal-looking encodings, sent as they are.
      fc
        .constantFrom(
          "%",
          "%zz",
          "%E0%A4%A",
          "%00",
          "..",
          "..%2f..%2fme",
          "%2e%2e",
          "%C0%AF",
          "a%2Fb",
        )
        .map((encoded) => ({ encoded, routable: false })),
    );
  };

  const QUERY_NAMES = [
    "$top",
    "$skip",
    "$select",
    "$filter",
    "$orderby",
    "$search",
    "$count",
    "$expand",
    "$format",
    "$skiptoken",
    "top",
  ];
  const queryValue = fc.oneof(
    fc.constantFrom(
      "1",
      "10",
      "1000",
      "1001",
      "0",
      "-1",
      "1e3",
      "99999999999",
      "subject,from",
      "subject,body,bodyPreview",
      "Subject",
      "id,,subject",
      "receivedDateTime desc",
      "receivedDateTime asc",
      "subject asc",
      "true",
      "isRead eq false",
      "from/emailAddress/address eq 'bob@x.example'",
      '"hello"',
      "contains(subject,'x') or 1 eq 1",
    ),
    nasty.map((s) => s.slice(0, 2500)),
  );
  const query = fc.array(
    fc.tuple(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...QUERY_NAMES) },
        { weight: 1, arbitrary: nasty.map((s) => s.slice(0, 100)) },
      ),
      queryValue,
    ),
    { maxLength: 4 },
  );

  const recipient = () =>
    fc.record(
      {
        emailAddress: fc.record(
          {
            address: fc.oneof(
              fc.constantFrom(...mailboxes().map((m) => m.address), "x@outside.example"),
              nasty.map((s) => s.slice(0, 300)),
            ),
            name: fc.oneof(nasty, anyJson),
          },
          { requiredKeys: ["address"] },
        ),
      },
      { requiredKeys: [] },
    );
  const recipients = () =>
    fc.oneof({ weight: 3, arbitrary: fc.array(recipient(), { maxLength: 3 }) }, anyJson);
  const sendMailBody = () =>
    fc.record(
      {
        message: fc.oneof(
          {
            weight: 4,
            arbitrary: fc.record(
              {
                subject: fc.oneof(nasty, anyJson),
                body: fc.oneof(
                  fc.record({
                    contentType: fc.oneof(fc.constantFrom("Text", "HTML", "html", "xml"), nasty),
                    content: fc.oneof(nasty, fc.constant("z".repeat(100_000))),
                  }),
                  anyJson,
                ),
                toRecipients: recipients(),
                ccRecipients: recipients(),
                bccRecipients: recipients(),
                from: recipient(),
              },
              { requiredKeys: [] },
            ),
          },
          anyJson,
        ),
        saveToSentItems: fc.oneof(fc.boolean(), anyJson),
      },
      { requiredKeys: [] },
    );
  const patchBody = fc.oneof(
    fc.record({ isRead: fc.oneof(fc.boolean(), anyJson) }),
    fc.record({ isRead: fc.boolean(), subject: nasty }),
    anyJson,
  );
  const CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=utf-16",
    "APPLICATION/JSON",
    "application/json;odata.metadata=minimal;odata.streaming=true",
    "application/merge-patch+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "*/*",
    "",
  ];
  /** A body for the route: its own shape, any JSON, not JSON at all, or over the 1 MiB limit. */
  const body = (template: string) =>
    fc.oneof(
      {
        weight: 5,
        arbitrary: (template.endsWith("sendMail") ? sendMailBody() : patchBody).map((b) =>
          JSON.stringify(b),
        ),
      },
      { weight: 2, arbitrary: anyJson.map((b) => JSON.stringify(b) ?? "null") },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "{not json",
          "",
          '{"message":',
          "message=x&isRead=true",
          `{"isRead":true,"isRead":"x"}`,
          JSON.stringify({ message: { subject: "s", body: { content: "a".repeat(1_100_000) } } }),
        ),
      },
    );
  const headers = fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          "client-request-id",
          "prefer",
          "accept",
          "accept-language",
          "x-forwarded-for",
          "forwarded",
          "if-match",
          "x-http-method-override",
          "content-encoding",
        ),
        nasty,
      ),
      fc.oneof(
        fc.constantFrom("gzip", "application/xml", "outlook.body-content-type=text", "PATCH"),
        nasty,
      ),
    ),
    { maxLength: 3 },
  );

  /** The request as fetch sends it; the URL is kept under Node's 16 KiB request-head limit. */
  function buildUrl(path: string, pairs: Array<[string, string]>): string {
    const kept = [...pairs];
    let url: string;
    for (;;) {
      const qs = new URLSearchParams(kept).toString();
      url = `${base}${path}${qs ? `?${qs}` : ""}`;
      if (url.length < 12_000 || kept.length === 0) return url;
      kept.pop();
    }
  }

  it("any route, principal, path value, query, header and body: Graph errors, no other mailbox's mail, refused writes store nothing", async (ctx) => {
    if (!t) return ctx.skip();
    expect(routes.length, "the Graph routes were collected").toBeGreaterThanOrEqual(9);
    const templates = [...routes, ...UNSERVED];
    const request = fc
      .record({
        // Callers whose tokens pass more often: their requests reach the handlers.
        who: fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...principals.filter((p) => !p.refusedWith)) },
          { weight: 1, arbitrary: fc.constantFrom(...principals.filter((p) => p.refusedWith)) },
        ),
        route: fc.constantFrom(...templates),
        // Mostly the route's own method, sometimes another.
        otherMethod: fc.oneof(
          { weight: 4, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
        ),
        values: fc.tuple(pathValue("user"), pathValue("folder"), pathValue("id")),
        query,
        headers,
        contentType: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, nasty),
      })
      .chain((r) => body(r.route).map((b) => ({ ...r, body: b })));

    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const [routeMethod = "GET", template = "/"] = r.route.split(" ");
        const method = r.otherMethod ?? routeMethod;
        const byName: Record<string, { encoded: string; routable: boolean }> = {
          user: r.values[0],
          folder: r.values[1],
          id: r.values[2],
        };
        let routable = true;
        const path = template.replace(/:(\w+)/g, (_m, name: string) => {
          const v = byName[name] as { encoded: string; routable: boolean };
          routable &&= v.routable;
          return v.encoded;
        });
        const withBody = method !== "GET" && method !== "OPTIONS";
        const answer = await check(
          r.who,
          method,
          path,
          r.query,
          r.headers,
          withBody ? { body: r.body, contentType: r.contentType } : undefined,
        );
        const what = `${r.who.name}: ${method} ${path.slice(0, 200)}`;
        // A known GET route must first refuse a missing or bad token (401) or a token without a
        // mail permission (403), whatever the rest of the request holds.
        if (
          r.who.refusedWith &&
          routable &&
          method === "GET" &&
          routeMethod === "GET" &&
          routes.includes(r.route)
        )
          expect(answer.status, what).toBe(r.who.refusedWith);
      }),
      { ...RUNS, numRuns: 300 },
    );
  }, 300_000);

  it("well-shaped sendMail, PATCH and reads with hostile values, by callers past the token check", async (ctx) => {
    if (!t) return ctx.skip();
    const callers = principals.filter((p) => !p.refusedWith);
    // The mailboxes' owners more often: their writes reach the database.
    const who = fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(...callers.filter((p) => p.owns)) },
      { weight: 1, arbitrary: fc.constantFrom(...callers) },
    );
    // Text a column cannot hold, markup, controls and huge values, inside the right shape.
    const text = fc.oneof(
      nasty,
      fc.constantFrom(
        "a\u0000b",
        "x\uD800",
        "\uDC00y",
        "\u0001\u001b[31m\u007f",
        "\r\nBcc: x@evil.example",
      ),
    );
    // Mostly hosted recipients, so that the message gets past delivery's checks to the database.
    const address = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...mailboxes().map((m) => m.address)) },
      fc.constantFrom(
        "x@outside.example",
        "ALICE@FUZZ.EXAMPLE",
        "a\u0000@x.example",
        "\uD800@x.example",
      ),
      nasty,
    );
    const someone = fc.record({
      emailAddress: fc.record({ address, name: text }, { requiredKeys: ["address"] }),
    });
    // `from` is mostly left out or the caller's own address, so that the send is allowed.
    const sendMail = (who: Principal) =>
      fc.record(
        {
          message: fc.record(
            {
              subject: text,
              body: fc.record({
                contentType: fc.constantFrom("Text", "HTML", "text"),
                content: text,
              }),
              toRecipients: fc.array(someone, { minLength: 1, maxLength: 2 }),
              ccRecipients: fc.array(someone, { maxLength: 1 }),
              bccRecipients: fc.array(someone, { maxLength: 1 }),
              from: fc.oneof(
                {
                  weight: 3,
                  arbitrary: fc.constant({
                    emailAddress: { address: who.sendsAs ?? "x@x.example" },
                  }),
                },
                someone,
              ),
            },
            { requiredKeys: ["toRecipients", "subject", "body"] },
          ),
          saveToSentItems: fc.boolean(),
        },
        { requiredKeys: ["message"] },
      );
    const ids = mailboxes().flatMap((m) => m.messageIds);
    const step = (who: Principal) =>
      fc.oneof(
        {
          weight: 3,
          arbitrary: sendMail(who).map((b) => ({
            method: "POST",
            path: "/v1.0/me/sendMail",
            query: [] as Array<[string, string]>,
            body: JSON.stringify(b),
          })),
        },
        fc.tuple(fc.constantFrom(...ids), fc.oneof(fc.boolean(), text)).map(([id, isRead]) => ({
          method: "PATCH",
          path: `/v1.0/me/messages/${id}`,
          query: [] as Array<[string, string]>,
          body: JSON.stringify({ isRead }),
        })),
        fc
          .tuple(
            fc.constantFrom("/v1.0/me/messages", "/v1.0/me/mailFolders/inbox/messages"),
            fc.array(fc.tuple(fc.constantFrom("$top", "$skip", "$select", "$orderby"), text), {
              maxLength: 2,
            }),
          )
          .map(([path, query]) => ({ method: "GET", path, query, body: undefined })),
        fc
          .tuple(address, fc.constantFrom("/messages", "/mailFolders/inbox/messages"))
          .map(([user, rest]) => ({
            method: "GET",
            path: `/v1.0/users/${segment(user)}${rest}`,
            query: [] as Array<[string, string]>,
            body: undefined,
          })),
      );
    await fc.assert(
      fc.asyncProperty(
        who.chain((w) => step(w).map((r) => [w, r] as const)),
        async ([who, r]) => {
          await check(
            who,
            r.method,
            r.path,
            r.query,
            [],
            r.body === undefined ? undefined : { body: r.body, contentType: "application/json" },
          );
        },
      ),
      { ...RUNS, numRuns: 250 },
    );
  }, 300_000);

  it("refuses text it cannot store with 400 in words, and ignores such token claims (found by the properties above)", async (ctx) => {
    if (!t) return ctx.skip();
    const named = (start: string) => principals.find((p) => p.name.startsWith(start)) as Principal;
    const owner = named("alice (Mail.ReadWrite");
    const appA = named("app of tenant A (Mail.Read.All)");
    const to = [{ emailAddress: { address: bob.address } }];
    // Each was a 500 (SQLSTATE 22021, or 22P02 from the recipients' jsonb), or stored U+FFFD.
    const cases: Array<[Principal, string, string, unknown, string]> = [
      [
        owner,
        "POST",
        "/v1.0/me/sendMail",
        { message: { subject: "a\u0000b", toRecipients: to } },
        "message.subject",
      ],
      [
        owner,
        "POST",
        "/v1.0/me/sendMail",
        { message: { body: { contentType: "text", content: "\u0000" }, toRecipients: to } },
        "message.body.content",
      ],
      [
        owner,
        "POST",
        "/v1.0/me/sendMail",
        {
          message: { toRecipients: [{ emailAddress: { address: bob.address, name: "x\uD800" } }] },
        },
        "message.toRecipients.0.emailAddress.name",
      ],
      [
        owner,
        "POST",
        "/v1.0/me/sendMail",
        { message: { subject: "\uDC00", toRecipients: to } },
        "message.subject",
      ],
      [
        owner,
        "POST",
        "/v1.0/me/sendMail",
        { message: { toRecipients: [{ emailAddress: { address: `a\u0000${bob.address}` } }] } },
        "message.toRecipients.0.emailAddress.address",
      ],
      [appA, "GET", `/v1.0/users/${segment(`b\u0000${bob.address}`)}/messages`, undefined, "user"],
      [owner, "GET", "/v1.0/me/messages?$select=%00", undefined, "$select"],
    ];
    for (const [who, method, path, payload, field] of cases) {
      const answer = await check(
        who,
        method,
        path,
        [],
        [],
        payload === undefined
          ? undefined
          : { body: JSON.stringify(payload), contentType: "application/json" },
      );
      expect(answer.status, path).toBe(400);
      const { error } = JSON.parse(answer.text);
      expect(error.code).toBe("BadRequest");
      expect(error.message).toContain(`field '${field}' contains characters that cannot be stored`);
    }
    // Control characters make an address no address (one was delivered to a new mailbox).
    const domain = bob.address.split("@")[1] as string;
    const control = await check(owner, "POST", "/v1.0/me/sendMail", [], [], {
      body: JSON.stringify({
        message: { toRecipients: [{ emailAddress: { address: `a\u0001b@${domain}` } }] },
      }),
      contentType: "application/json",
    });
    expect(control.status).toBe(400);
    expect(JSON.parse(control.text).error.code).toBe("ErrorInvalidRecipients");
    // A token whose preferred_username or name holds a NUL: treated as absent, never a query.
    const oid = randomUUID();
    for (const claims of [
      { preferred_username: `x\u0000${alice.address}` },
      { preferred_username: alice.address.replace("alice", "nul-name"), name: "N\u0000" },
    ]) {
      const token = await issuer.token(alice.tenantId, {
        oid,
        sub: oid,
        scp: "Mail.Read",
        ...claims,
      });
      const who = {
        name: `token with ${JSON.stringify(claims)}`,
        authorization: `Bearer ${token}`,
        sees: [],
      };
      const answer = await check(who, "GET", "/v1.0/me/messages", [], []);
      expect([200, 404], answer.text).toContain(answer.status);
    }
    // An over-long path segment and a malformed percent-encoding, refused before any route
    // runs, are in Graph's shape too (they were in the admin API's envelope).
    for (const path of [`/v1.0/me/messages/${"x".repeat(600)}`, "/v1.0/me/messages/%E0%A4%A"]) {
      const answer = await check(owner, "GET", path, [], []);
      expect([400, 414], path).toContain(answer.status);
      expect(JSON.parse(answer.text).error.innerError["request-id"]).toBeTruthy();
    }
  });

  it("reads through every route show only the caller's own mail, whoever asks for whose", async (ctx) => {
    if (!t) return ctx.skip();
    // Deterministic sweep: every principal, every served GET route, every mailbox's ids.
    const gets = routes.filter((r) => r.startsWith("GET "));
    for (const who of principals)
      for (const route of gets)
        for (const m of mailboxes())
          for (const user of [m.address, m.oid]) {
            const path = (route.split(" ")[1] as string)
              .replace(":user", encodeURIComponent(user))
              .replace(":folder", "inbox")
              .replace(":id", m.messageIds[0] as string);
            const headers: Record<string, string> = who.authorization
              ? { authorization: who.authorization }
              : {};
            // Every message of a list (the properties above have sent more mail meanwhile).
            const all = path.endsWith("/messages") ? "?$top=1000" : "";
            const answer = await call(`${base}${path}${all}`, { headers });
            expectAnswer(who, "GET", path, answer, path, `${who.name}: GET ${path}`);
            // Through /users/{id | upn}: a caller that may read the mailbox gets its mail, any
            // other is refused (and, above, shown nothing of it).
            if (path.startsWith("/v1.0/users/")) {
              const readable = who.sees.includes(m.subject);
              expect(answer.status === 200, `${who.name}: GET ${path} (${answer.status})`).toBe(
                readable,
              );
              if (readable) expect(answer.text, `${who.name}: GET ${path}`).toContain(m.subject);
            }
          }
  }, 120_000);

  it("answers hostile raw request lines and header bytes without a 500", async (ctx) => {
    if (!t) return ctx.skip();
    const auth = principals[0]?.authorization as string;
    const h = `Host: x\r\nAuthorization: ${auth}\r\n`;
    const json = "Content-Type: application/json\r\n";
    // [request head, the statuses it may get]; 0 would mean no answer at all.
    const cases: Array<[string, number[]]> = [
      // Raw bytes fetch would never send: controls and non-ASCII in the path and headers.
      [`GET /v1.0/me/messages/\x01\x7f HTTP/1.1\r\n${h}\r\n`, [400]],
      [`GET /v1.0/users/\xe9l\xe8ve@x.example/messages HTTP/1.1\r\n${h}\r\n`, [400, 403, 404]],
      [`GET /v1.0/me/../../mailbox HTTP/1.1\r\n${h}\r\n`, [400]],
      [
        `GET /v1.0/me/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \x01\x02\r\n\r\n`,
        [400, 401],
      ],
      [`GET /v1.0/me/messages HTTP/1.1\r\n${h}client-request-id: a\x0bb\xff\r\n\r\n`, [200, 400]],
      // Node keeps the first Authorization header: the caller's own mail, nothing more.
      [`GET /v1.0/me/messages HTTP/1.1\r\n${h}Authorization: Bearer x\r\n\r\n`, [200, 400]],
      [`GET /v1.0/me/messages?$top=1&$top=2 HTTP/1.1\r\n${h}\r\n`, [400]],
      [`GET /v1.0/me/messages?$select=subject&$select=body HTTP/1.1\r\n${h}\r\n`, [400]],
      [
        `PATCH /v1.0/me/messages/${alice.messageIds[0]} HTTP/1.1\r\n${h}${json}Content-Length: 5\r\n\r\n{"isR`,
        [400],
      ],
      [
        `POST /v1.0/me/sendMail HTTP/1.1\r\n${h}${json}Transfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n`,
        [400],
      ],
      [
        `POST /v1.0/me/sendMail HTTP/1.1\r\n${h}${json}Content-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope`,
        [400, 415],
      ],
      [
        `POST /v1.0/me/sendMail HTTP/1.1\r\n${h}${json}Content-Length: 3\r\nContent-Length: 4\r\n\r\n{}}`,
        [400],
      ],
    ];
    const before = await messages();
    for (const [head, statuses] of cases) {
      const answer = await rawRequest(port, head);
      const what = JSON.stringify(head.replace(auth, "<token>").slice(0, 160));
      expect(statuses, `${what} answered ${answer.text.slice(0, 300)}`).toContain(answer.status);
      expectSane(answer, what);
      for (const leak of MAIL_LEAKS) expect(answer.text, `${what}: ${leak}`).not.toMatch(leak);
      for (const m of [bob, carol])
        expect(answer.text, `${what}: ${m.address}'s mail`).not.toContain(m.subject);
    }
    expect(await messages()).toEqual(before);
  });
});
