import { randomUUID } from "node:crypto";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addHostedDomain, deliver, mailDb, startMailService } from "../../src/mail/index.ts";
import { ApiError } from "../../src/platform/http/index.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import { mailConfig, silent, uniqueDomain } from "./support/mail-fixture.ts";
import { startTestIssuer, type TestIssuer } from "./support/test-issuer.ts";

describe.each(["pglite", "postgres"] as const)("Mail mailbox store on %s", (kind) => {
  let t: TestDatabase | undefined;
  let issuer: TestIssuer;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    issuer = await startTestIssuer();
  });
  afterAll(async () => {
    await issuer?.close();
    await t?.close();
  });

  const countMessages = async () =>
    Number(
      (
        await mailDb(t!.database)
          .selectFrom("mail.messages")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const hasMailbox = async (address: string) =>
    (await mailDb(t!.database)
      .selectFrom("mail.mailboxes")
      .select("id")
      .where("address", "=", address)
      .executeTakeFirst()) !== undefined;

  it("hosts a domain for one tenant only, idempotently, and refuses bad input", async (ctx) => {
    if (!t) return ctx.skip();
    const db = t.database.db;
    const tenantA = randomUUID();
    const domain = uniqueDomain();
    const hosted = await addHostedDomain(db, domain.toUpperCase(), tenantA);
    expect(hosted).toMatchObject({ domain, tenantId: tenantA });
    expect((await addHostedDomain(db, domain, tenantA)).domain).toBe(domain);
    await expect(addHostedDomain(db, domain, randomUUID())).rejects.toMatchObject({
      status: 409,
      code: "mail.domain_hosted_elsewhere",
    });
    await expect(addHostedDomain(db, "not a domain", tenantA)).rejects.toMatchObject({
      code: "mail.invalid_domain",
    });
    await expect(addHostedDomain(db, uniqueDomain(), "contoso")).rejects.toMatchObject({
      code: "mail.invalid_tenant_id",
    });
  });

  it("delivers to every recipient, creating mailboxes in the domain's tenant, or to none", async (ctx) => {
    if (!t) return ctx.skip();
    const db = t.database.db;
    const tenant = randomUUID();
    const domain = uniqueDomain();
    await addHostedDomain(db, domain, tenant);
    const result = await deliver(db, {
      from: { address: "No-Reply@Assent.localhost", name: "Assent" },
      toRecipients: [{ address: `Ada@${domain}` }, { address: `bob@${domain}` }],
      subject: "hello",
      body: { contentType: "text", content: "hi" },
    });
    expect(result.delivered.map((d) => d.address)).toEqual([`ada@${domain}`, `bob@${domain}`]);
    const boxes = await mailDb(t.database)
      .selectFrom("mail.mailboxes")
      .select(["address", "tenant_id", "user_object_id"])
      .where("domain", "=", domain)
      .orderBy("address")
      .execute();
    expect(boxes).toEqual([
      { address: `ada@${domain}`, tenant_id: tenant, user_object_id: null },
      { address: `bob@${domain}`, tenant_id: tenant, user_object_id: null },
    ]);

    const before = await countMessages();
    const refused = deliver(db, {
      from: { address: "x@assent.localhost" },
      toRecipients: [{ address: `carol@${domain}` }, { address: "dan@not-hosted.example" }],
      body: { contentType: "text", content: "x" },
    });
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ code: "mail.recipient_not_hosted" });
    expect(await countMessages()).toBe(before);
    expect(await hasMailbox(`carol@${domain}`)).toBe(false);
  });

  it("joins a transaction it is given, and rolls back with it", async (ctx) => {
    if (!t) return ctx.skip();
    const db = t.database.db;
    const domain = uniqueDomain();
    await addHostedDomain(db, domain, randomUUID());
    const before = await countMessages();
    await expect(
      t.database.transaction(async (trx) => {
        await deliver(trx, {
          from: { address: "x@assent.localhost" },
          toRecipients: [{ address: `ada@${domain}` }],
          body: { contentType: "text", content: "x" },
        });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await countMessages()).toBe(before);
  });

  it("runs as a service: the API and the SMTP intake listen, and stop", async (ctx) => {
    if (!t) return ctx.skip();
    const config = mailConfig(issuer, { ASSENT_MAIL_PORT: "0" });
    const service = await startMailService(config, silent, t.database);
    try {
      const health = await fetch(`http://127.0.0.1:${service.ports.http}/healthz`);
      expect(await health.json()).toEqual({ status: "ok", service: "mail" });
      const unauthenticated = await fetch(
        `http://127.0.0.1:${service.ports.http}/v1.0/me/messages`,
      );
      expect(unauthenticated.status).toBe(401);
      const domain = uniqueDomain();
      await addHostedDomain(t.database.db, domain, randomUUID());
      const info = await nodemailer
        .createTransport({ host: "127.0.0.1", port: service.ports.smtp, ignoreTLS: true })
        .sendMail({ from: "a@assent.localhost", to: `ada@${domain}`, subject: "s", text: "t" });
      expect(info.accepted).toEqual([`ada@${domain}`]);
    } finally {
      await service.stop();
    }
    await expect(fetch(`http://127.0.0.1:${service.ports.http}/healthz`)).rejects.toThrow();
  });
});
