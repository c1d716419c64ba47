import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addHostedDomain, deliver } from "../../src/mail/index.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import { bearer, MAIL_URL, mailApp, uniqueDomain } from "./support/mail-fixture.ts";
import { directoryUser, startTestIssuer, type TestIssuer } from "./support/test-issuer.ts";

describe.each(["pglite", "postgres"] as const)(
  "Mail Graph API paging and queries on %s",
  (kind) => {
    let t: TestDatabase | undefined;
    let issuer: TestIssuer;
    let app: FastifyInstance;
    let tenantA: string;

    beforeAll(async () => {
      t = await openTestDatabase(kind);
      issuer = await startTestIssuer();
      tenantA = await issuer.addTenant();
      if (t) app = mailApp(issuer, t.database);
    });
    afterAll(async () => {
      await app?.close();
      await issuer?.close();
      await t?.close();
    });

    const user = (tenantId: string, address: string, name?: string) =>
      directoryUser(issuer, tenantId, address, name);

    const get = async (url: string, token: string) => app.inject({ url, headers: bearer(token) });

    async function hostedTenantA() {
      const domain = uniqueDomain();
      await addHostedDomain(t!.database.db, domain, tenantA);
      return domain;
    }

    it("pages with $top/$skip and @odata.nextLink in receivedDateTime order, and honours $select", async (ctx) => {
      if (!t) return ctx.skip();
      const domain = await hostedTenantA();
      const carol = user(tenantA, `carol@${domain}`);
      const start = Date.parse("2025-01-01T00:00:00Z");
      for (let i = 0; i < 25; i++)
        await deliver(t.database.db, {
          from: { address: "news@assent.localhost" },
          toRecipients: [{ address: carol.address }],
          subject: `Issue ${i}`,
          body: { contentType: "text", content: `Body ${i}` },
          receivedAt: new Date(start + i * 60_000),
        });
      const token = await carol.token("Mail.Read");

      const defaultPage = await get("/v1.0/me/messages", token);
      expect(defaultPage.json().value).toHaveLength(10);
      expect(defaultPage.json().value[0].subject).toBe("Issue 24");
      expect(defaultPage.json()["@odata.context"]).toBe(
        `${MAIL_URL}/v1.0/$metadata#users('${carol.oid}')/messages`,
      );

      const subjects: string[] = [];
      let url: string | undefined = "/v1.0/me/messages?$top=10&$select=subject,receivedDateTime";
      let pages = 0;
      while (url) {
        const page = await get(url, token);
        expect(page.statusCode).toBe(200);
        for (const m of page.json().value) {
          expect(Object.keys(m).sort()).toEqual(["id", "receivedDateTime", "subject"]);
          subjects.push(m.subject);
        }
        const next: string | undefined = page.json()["@odata.nextLink"];
        if (next) expect(next.startsWith(`${MAIL_URL}/v1.0/me/messages?`)).toBe(true);
        url = next?.slice(MAIL_URL.length);
        pages++;
      }
      expect(pages).toBe(3);
      expect(subjects).toEqual(Array.from({ length: 25 }, (_, i) => `Issue ${24 - i}`));

      const asc = await get(
        "/v1.0/me/messages?$orderby=receivedDateTime asc&$top=3&$skip=2",
        token,
      );
      expect(asc.json().value.map((m: { subject: string }) => m.subject)).toEqual([
        "Issue 2",
        "Issue 3",
        "Issue 4",
      ]);
      expect(asc.json()["@odata.nextLink"]).toBe(
        `${MAIL_URL}/v1.0/me/messages?$top=3&$skip=5&$orderby=receivedDateTime+asc`,
      );
      const last = await get("/v1.0/me/messages?$top=5&$skip=20", token);
      expect(last.json().value).toHaveLength(5);
      expect(last.json()).not.toHaveProperty("@odata.nextLink");
      const beyond = await get("/v1.0/me/messages?$skip=100", token);
      expect(beyond.json().value).toEqual([]);
    });

    it("answers bad query options with 400 in Graph's shape, never a 500", async (ctx) => {
      if (!t) return ctx.skip();
      const domain = await hostedTenantA();
      const carol = user(tenantA, `carol@${domain}`);
      const token = await carol.token("Mail.Read");
      const cases: Array<[string, string, RegExp]> = [
        ["$top=0", "ErrorInvalidParameter", /from 1 to 1000/],
        ["$top=1001", "ErrorInvalidParameter", /from 1 to 1000/],
        ["$top=abc", "BadRequest", /\$top/],
        ["$top=1.5", "BadRequest", /\$top/],
        ["$skip=-1", "BadRequest", /\$skip/],
        ["$top=5&$top=6", "BadRequest", /only once/],
        ["$select=subject,nonsense", "BadRequest", /Could not find a property named 'nonsense'/],
        ["$select=", "BadRequest", /\$select/],
        ["$orderby=subject", "BadRequest", /\$orderby/],
        ["$filter=isRead eq false", "BadRequest", /'\$filter' is not supported/],
      ];
      for (const [query, code, message] of cases) {
        const r = await get(`/v1.0/me/messages?${query}`, token);
        expect(r.statusCode, query).toBe(400);
        expect(r.json().error.code, query).toBe(code);
        expect(r.json().error.message, query).toMatch(message);
        expect(r.json().error.innerError["request-id"]).toBeTruthy();
      }
      const malformed = await get("/v1.0/me/messages/not-an-id", token);
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().error.code).toBe("ErrorInvalidIdMalformed");
      const missing = await get(`/v1.0/me/messages/${randomUUID()}`, token);
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe("ErrorItemNotFound");
      const unknownRoute = await get("/v1.0/me/calendars", token);
      expect(unknownRoute.statusCode).toBe(400);
      expect(unknownRoute.json().error.message).toBe(
        "Resource not found for the segment 'calendars'.",
      );
    });

    it("a message of another mailbox is not found, even by its id", async (ctx) => {
      if (!t) return ctx.skip();
      const domain = await hostedTenantA();
      const ada = user(tenantA, `ada@${domain}`);
      const bob = user(tenantA, `bob@${domain}`);
      const result = await deliver(t.database.db, {
        from: { address: "x@assent.localhost" },
        toRecipients: [{ address: bob.address }],
        subject: "for bob",
        body: { contentType: "text", content: "private" },
      });
      const bobsId = result.delivered[0]?.messageId;
      expect(bobsId).toBeTruthy();
      const r = await get(`/v1.0/me/messages/${bobsId}`, await ada.token("Mail.Read"));
      expect(r.statusCode).toBe(404);
      const own = await get(`/v1.0/me/messages/${bobsId}`, await bob.token("Mail.Read"));
      expect(own.statusCode).toBe(200);
    });

    it("PATCH isRead needs Mail.ReadWrite", async (ctx) => {
      if (!t) return ctx.skip();
      const domain = await hostedTenantA();
      const ada = user(tenantA, `ada@${domain}`);
      const { delivered } = await deliver(t.database.db, {
        from: { address: "x@assent.localhost" },
        toRecipients: [{ address: ada.address }],
        body: { contentType: "text", content: "hello" },
      });
      const id = delivered[0]?.messageId;
      const patch = async (scp: string, payload: unknown) =>
        app.inject({
          method: "PATCH",
          url: `/v1.0/me/messages/${id}`,
          headers: bearer(await ada.token(scp)),
          payload: payload as Record<string, unknown>,
        });
      const denied = await patch("Mail.Read", { isRead: true });
      expect(denied.statusCode).toBe(403);
      expect(denied.json().error.message).toBe(
        "Access is denied. Requires one of: Mail.ReadWrite.",
      );
      const ok = await patch("Mail.ReadWrite", { isRead: true });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().isRead).toBe(true);
      const bad = await patch("Mail.ReadWrite", { subject: "rewritten" });
      expect(bad.statusCode).toBe(400);
      const listed = await get("/v1.0/me/messages", await ada.token("Mail.Read"));
      expect(listed.json().value[0].isRead).toBe(true);
    });
  },
);
