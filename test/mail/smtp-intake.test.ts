import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addHostedDomain, type SmtpIntake, startSmtpIntake } from "../../src/mail/index.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import { bearer, mailApp, mailConfig, silent, uniqueDomain } from "./support/mail-fixture.ts";
import { startTestIssuer, type TestIssuer } from "./support/test-issuer.ts";

// Small, so the size limit can be shown without megabytes of test data.
const MAX_BYTES = 16 * 1024;

describe.each(["pglite", "postgres"] as const)("Mail SMTP intake on %s", (kind) => {
  let t: TestDatabase | undefined;
  let issuer: TestIssuer;
  let app: FastifyInstance;
  let smtp: SmtpIntake;
  let tenant: string;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    issuer = await startTestIssuer();
    tenant = await issuer.addTenant();
    if (!t) return;
    app = mailApp(issuer, t.database);
    smtp = await startSmtpIntake({
      config: mailConfig(issuer, { ASSENT_MAIL_SMTP_MAX_BYTES: String(MAX_BYTES) }),
      database: t.database,
      logger: silent,
    });
  });
  afterAll(async () => {
    await smtp?.close();
    await app?.close();
    await issuer?.close();
    await t?.close();
  });

  const transport = () =>
    nodemailer.createTransport({
      host: "127.0.0.1",
      port: smtp.port,
      secure: false,
      ignoreTLS: true,
    });

  async function mailboxOwner(address: string) {
    const oid = randomUUID();
    const token = await issuer.token(tenant, {
      oid,
      sub: oid,
      scp: "Mail.Read",
      preferred_username: address,
    });
    return {
      messages: async (query = "") =>
        (await app.inject({ url: `/v1.0/me/messages${query}`, headers: bearer(token) })).json()
          .value,
    };
  }

  it("files a message sent with nodemailer, readable through the API", async (ctx) => {
    if (!t) return ctx.skip();
    const domain = uniqueDomain();
    await addHostedDomain(t.database.db, domain, tenant);
    const info = await transport().sendMail({
      from: '"Assent" <no-reply@assent.localhost>',
      to: `"Ada Lovelace" <ada@${domain}>`,
      bcc: `bob@${domain}`,
      subject: "Approval required: Contoso Reports",
      text: "Review the request: https://localhost:4000/t/requests/42",
      html: '<p>Review <a href="https://localhost:4000/t/requests/42">the request</a>.</p>',
      messageId: `<${randomUUID()}@assent.localhost>`,
    });
    expect(info.accepted).toEqual([`ada@${domain}`, `bob@${domain}`]);

    const ada = await mailboxOwner(`ada@${domain}`);
    const [message] = await ada.messages();
    expect(message).toMatchObject({
      subject: "Approval required: Contoso Reports",
      from: { emailAddress: { name: "Assent", address: "no-reply@assent.localhost" } },
      toRecipients: [{ emailAddress: { name: "Ada Lovelace", address: `ada@${domain}` } }],
      internetMessageId: info.messageId,
      body: { contentType: "html" },
      bodyPreview: "Review the request (https://localhost:4000/t/requests/42).",
    });
    expect(message.body.content).toContain('href="https://localhost:4000/t/requests/42"');

    // Bcc: delivered by envelope, shown to nobody.
    const bob = await mailboxOwner(`bob@${domain}`);
    const [copy] = await bob.messages();
    expect(copy.subject).toBe("Approval required: Contoso Reports");
    expect(copy.toRecipients).toEqual([
      { emailAddress: { name: "Ada Lovelace", address: `ada@${domain}` } },
    ]);
  });

  it("files a message with a NUL byte or half a surrogate pair, cleaned, rather than failing it", async (ctx) => {
    if (!t) return ctx.skip();
    const domain = uniqueDomain();
    await addHostedDomain(t.database.db, domain, tenant);
    const info = await transport().sendMail({
      from: '"Nul\u0000ish" <sender@assent.localhost>',
      to: `carol@${domain}`,
      subject: "Invoice\u0000 attached \ud800",
      text: "Line one\u0000\nline two",
    });
    expect(info.accepted).toEqual([`carol@${domain}`]);
    const [message] = await (await mailboxOwner(`carol@${domain}`)).messages();
    expect(message.subject).toBe("Invoice attached \uFFFD");
    expect(message.from.emailAddress.name).toBe("Nulish");
    expect(message.body.content).toContain("Line one");
    expect(message.body.content).not.toContain("\u0000");
  });

  it("refuses RCPT TO a domain it does not host with 550, and still delivers to the hosted ones", async (ctx) => {
    if (!t) return ctx.skip();
    const domain = uniqueDomain();
    await addHostedDomain(t.database.db, domain, tenant);
    const refused = transport().sendMail({
      from: "someone@assent.localhost",
      to: "victim@not-hosted.example",
      subject: "relay attempt",
      text: "x",
    });
    await expect(refused).rejects.toMatchObject({ responseCode: 550 });
    await expect(refused).rejects.toThrow(/not a domain hosted here/);

    const mixed = await transport().sendMail({
      from: "someone@assent.localhost",
      to: [`carol@${domain}`, "victim@not-hosted.example"],
      subject: "mixed",
      text: "x",
    });
    expect(mixed.accepted).toEqual([`carol@${domain}`]);
    expect(mixed.rejected).toEqual(["victim@not-hosted.example"]);
    const carol = await mailboxOwner(`carol@${domain}`);
    expect((await carol.messages()).map((m: { subject: string }) => m.subject)).toEqual(["mixed"]);
  });

  it("refuses a message over the size limit with 552 and files nothing", async (ctx) => {
    if (!t) return ctx.skip();
    const domain = uniqueDomain();
    await addHostedDomain(t.database.db, domain, tenant);
    const big = transport().sendMail({
      from: "someone@assent.localhost",
      to: `dave@${domain}`,
      subject: "too big",
      text: "x".repeat(MAX_BYTES * 2),
    });
    await expect(big).rejects.toMatchObject({ responseCode: 552 });
    const dave = await mailboxOwner(`dave@${domain}`);
    expect(await dave.messages()).toEqual([]);
  });

  it("files a redelivered Message-ID once", async (ctx) => {
    if (!t) return ctx.skip();
    const domain = uniqueDomain();
    await addHostedDomain(t.database.db, domain, tenant);
    const mail = {
      from: "someone@assent.localhost",
      to: `erin@${domain}`,
      subject: "retry",
      text: "once",
      messageId: `<${randomUUID()}@assent.localhost>`,
    };
    await transport().sendMail(mail);
    await transport().sendMail(mail);
    const erin = await mailboxOwner(`erin@${domain}`);
    expect(await erin.messages()).toHaveLength(1);
  });

  it("shows the mail on the loopback mailbox page, escaped, with its links clickable", async (ctx) => {
    if (!t) return ctx.skip();
    const domain = uniqueDomain();
    await addHostedDomain(t.database.db, domain, tenant);
    await transport().sendMail({
      from: '"<script>alert(1)</script>" <evil@assent.localhost>',
      to: `frank@${domain}`,
      subject: "<img src=x onerror=alert(1)>",
      html: '<p>Go to <a href="https://localhost:4000/approve?a=1&amp;b=2">approve</a></p><script>alert(2)</script><a href="javascript:alert(3)">click</a>',
    });
    const page = await app.inject({ url: `/mailbox?address=frank@${domain}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.body).toContain(
      '<a href="https://localhost:4000/approve?a=1&amp;b=2" rel="noreferrer noopener">',
    );
    expect(page.body).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(page.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page.body).not.toMatch(/<script|<img|javascript:/i);

    const index = await app.inject({ url: "/mailbox" });
    expect(index.body).toContain(`frank@${domain}`);
    const unknown = await app.inject({ url: `/mailbox?address=nobody@${domain}` });
    expect(unknown.statusCode).toBe(404);

    // Not from this machine, or through a proxy: as if the page did not exist.
    const remote = await app.inject({ url: "/mailbox", remoteAddress: "192.0.2.10" });
    expect(remote.statusCode).toBe(404);
    const proxied = await app.inject({
      url: "/mailbox",
      headers: { "x-forwarded-for": "192.0.2.10" },
    });
    expect(proxied.statusCode).toBe(404);
  });

  it("has no mailbox page when it is switched off", async (ctx) => {
    if (!t) return ctx.skip();
    const off = mailApp(issuer, t.database, { ASSENT_MAIL_MAILBOX_PAGE: "false" });
    expect((await off.inject({ url: "/mailbox" })).statusCode).toBe(404);
    await off.close();
  });
});
