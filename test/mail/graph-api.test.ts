import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addHostedDomain, deliver, mailDb } from "../../src/mail/index.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import { bearer, MAIL_URL, mailApp, uniqueDomain } from "./support/mail-fixture.ts";
import {
  appOnlyToken,
  directoryUser,
  startTestIssuer,
  type TestIssuer,
} from "./support/test-issuer.ts";

describe.each(["pglite", "postgres"] as const)("Mail Graph API on %s", (kind) => {
  let t: TestDatabase | undefined;
  let issuer: TestIssuer;
  let app: FastifyInstance;
  let tenantA: string;
  let tenantB: string;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    issuer = await startTestIssuer();
    tenantA = await issuer.addTenant();
    tenantB = await issuer.addTenant();
    if (t) app = mailApp(issuer, t.database);
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
    await t?.close();
  });

  const user = (tenantId: string, address: string, name?: string) =>
    directoryUser(issuer, tenantId, address, name);
  const appToken = (tenantId: string, roles?: string[]) => appOnlyToken(issuer, tenantId, roles);

  const get = async (url: string, token: string) => app.inject({ url, headers: bearer(token) });

  async function hostedTenantA() {
    const domain = uniqueDomain();
    await addHostedDomain(t!.database.db, domain, tenantA);
    return domain;
  }

  it("GET /me describes the user from the token and creates their mailbox", async (ctx) => {
    if (!t) return ctx.skip();
    const domain = await hostedTenantA();
    const ada = user(tenantA, `ada@${domain}`, "Ada Lovelace");
    const r = await get("/v1.0/me", await ada.token("User.Read"));
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      "@odata.context": `${MAIL_URL}/v1.0/$metadata#users/$entity`,
      id: ada.oid,
      displayName: "Ada Lovelace",
      mail: ada.address,
      userPrincipalName: ada.address,
    });
    const row = await mailDb(t.database)
      .selectFrom("mail.mailboxes")
      .selectAll()
      .where("address", "=", ada.address)
      .executeTakeFirst();
    expect(row).toMatchObject({ tenant_id: tenantA, user_object_id: ada.oid });

    // A user outside the hosted domains has a profile but no mail.
    const outsider = user(tenantA, `zed@${uniqueDomain("elsewhere")}`);
    const o = await get("/v1.0/me", await outsider.token("Mail.Read"));
    expect(o.statusCode).toBe(200);
    expect(o.json().mail).toBeNull();
    // Any mail permission is enough for /me; an unrelated one is not.
    const denied = await get("/v1.0/me", await ada.token("Calendars.Read"));
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe("ErrorAccessDenied");
    expect(denied.json().error.message).toMatch(/Requires one of: User\.Read, Mail\.ReadBasic/);
    // /me means nothing to an app-only token.
    const appOnly = await get("/v1.0/me", await appToken(tenantA, ["Mail.Read.All"]));
    expect(appOnly.statusCode).toBe(400);
    expect(appOnly.json().error.message).toBe(
      "/me request is only valid with delegated authentication flow.",
    );
  });

  it("Mail.ReadBasic lists messages without body; Mail.Read and Mail.ReadWrite include it", async (ctx) => {
    if (!t) return ctx.skip();
    const domain = await hostedTenantA();
    const ada = user(tenantA, `ada@${domain}`);
    await deliver(t.database.db, {
      from: { address: "no-reply@assent.localhost", name: "Assent" },
      toRecipients: [{ address: ada.address }],
      subject: "Your request was approved",
      body: { contentType: "html", content: "<p>Open <a href='https://x.test/a'>the app</a></p>" },
    });

    const basic = await get("/v1.0/me/messages", await ada.token("Mail.ReadBasic"));
    expect(basic.statusCode).toBe(200);
    const [first] = basic.json().value;
    expect(first.subject).toBe("Your request was approved");
    expect(first.from).toEqual({
      emailAddress: { name: "Assent", address: "no-reply@assent.localhost" },
    });
    expect(first).not.toHaveProperty("body");
    expect(first).not.toHaveProperty("bodyPreview");
    // Even when selected explicitly.
    const selected = await get(
      "/v1.0/me/messages?$select=subject,body",
      await ada.token("Mail.ReadBasic"),
    );
    expect(selected.json().value[0]).toEqual({
      id: first.id,
      subject: "Your request was approved",
    });

    for (const scope of ["Mail.Read", "Mail.ReadWrite"]) {
      const full = await get("/v1.0/me/messages", await ada.token(scope));
      const [message] = full.json().value;
      expect(message.body).toEqual({
        contentType: "html",
        content: "<p>Open <a href='https://x.test/a'>the app</a></p>",
      });
      expect(message.bodyPreview).toBe("Open the app (https://x.test/a)");
      expect(message).toMatchObject({
        hasAttachments: false,
        isRead: false,
        toRecipients: [{ emailAddress: { address: ada.address } }],
      });
      expect(message.internetMessageId).toMatch(/^<.+@assent\.localhost>$/);
    }

    const single = await get(`/v1.0/me/messages/${first.id}`, await ada.token("Mail.ReadBasic"));
    expect(single.statusCode).toBe(200);
    expect(single.json()).not.toHaveProperty("body");
    expect(single.json()["@odata.context"]).toBe(
      `${MAIL_URL}/v1.0/$metadata#users('${ada.oid}')/messages/$entity`,
    );
  });

  it("a token without a mail permission gets 403 naming the permissions that would do", async (ctx) => {
    if (!t) return ctx.skip();
    const domain = await hostedTenantA();
    const ada = user(tenantA, `ada@${domain}`);
    const r = await get("/v1.0/me/messages", await ada.token("User.Read"));
    expect(r.statusCode).toBe(403);
    expect(r.json().error).toMatchObject({
      code: "ErrorAccessDenied",
      message: "Access is denied. Requires one of: Mail.ReadBasic, Mail.Read, Mail.ReadWrite.",
    });
    expect(r.headers["www-authenticate"]).toBe(
      'Bearer realm="", error="insufficient_scope", scope="Mail.ReadBasic Mail.Read Mail.ReadWrite"',
    );
    const send = await app.inject({
      method: "POST",
      url: "/v1.0/me/sendMail",
      headers: bearer(await ada.token("Mail.Read")),
      payload: {
        message: { subject: "x", toRecipients: [{ emailAddress: { address: ada.address } }] },
      },
    });
    expect(send.statusCode).toBe(403);
    expect(send.json().error.message).toBe("Access is denied. Requires one of: Mail.Send.");
  });

  it("Mail.Send sends: the recipient's mailbox receives it and the sender keeps a Sent Items copy", async (ctx) => {
    if (!t) return ctx.skip();
    const domain = await hostedTenantA();
    const ada = user(tenantA, `ada@${domain}`, "Ada");
    const bob = user(tenantA, `bob@${domain}`, "Bob");
    const sent = await app.inject({
      method: "POST",
      url: "/v1.0/me/sendMail",
      headers: bearer(await ada.token("Mail.Send User.Read")),
      payload: {
        message: {
          subject: "Lunch?",
          body: { contentType: "Text", content: "At noon, https://x.test/menu." },
          toRecipients: [{ emailAddress: { address: bob.address.toUpperCase(), name: "Bob" } }],
        },
        saveToSentItems: true,
      },
    });
    expect(sent.statusCode).toBe(202);
    expect(sent.body).toBe("");

    const inbox = await get("/v1.0/me/mailFolders/inbox/messages", await bob.token("Mail.Read"));
    expect(inbox.statusCode).toBe(200);
    expect(inbox.json().value).toHaveLength(1);
    expect(inbox.json().value[0]).toMatchObject({
      subject: "Lunch?",
      from: { emailAddress: { name: "Ada", address: ada.address } },
      sender: { emailAddress: { address: ada.address } },
      toRecipients: [{ emailAddress: { name: "Bob", address: bob.address } }],
      body: { contentType: "text", content: "At noon, https://x.test/menu." },
      parentFolderId: "inbox",
    });

    const sentItems = await get(
      "/v1.0/me/mailFolders/SentItems/messages",
      await ada.token("Mail.Read"),
    );
    expect(sentItems.json().value).toHaveLength(1);
    expect(sentItems.json().value[0]).toMatchObject({ subject: "Lunch?", isRead: true });
    const adaInbox = await get("/v1.0/me/mailFolders/inbox/messages", await ada.token("Mail.Read"));
    expect(adaInbox.json().value).toHaveLength(0);
    const noFolder = await get(
      "/v1.0/me/mailFolders/drafts/messages",
      await ada.token("Mail.Read"),
    );
    expect(noFolder.statusCode).toBe(404);
  });

  it("sendMail refuses recipients outside the hosted domains and sends nothing", async (ctx) => {
    if (!t) return ctx.skip();
    const domain = await hostedTenantA();
    const ada = user(tenantA, `ada@${domain}`);
    const bob = user(tenantA, `bob@${domain}`);
    const send = (message: Record<string, unknown>, token?: string) =>
      Promise.resolve(token ?? ada.token("Mail.Send")).then((tk) =>
        app.inject({
          method: "POST",
          url: "/v1.0/me/sendMail",
          headers: bearer(tk),
          payload: { message, saveToSentItems: false },
        }),
      );
    const r = await send({
      subject: "hi",
      toRecipients: [
        { emailAddress: { address: bob.address } },
        { emailAddress: { address: "someone@gmail.example" } },
      ],
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe("ErrorInvalidRecipients");
    expect(r.json().error.message).toMatch(/someone@gmail\.example/);
    const bobs = await get("/v1.0/me/messages", await bob.token("Mail.Read"));
    expect(bobs.json().value).toHaveLength(0);

    const noRecipients = await send({ subject: "hi" });
    expect(noRecipients.statusCode).toBe(400);
    expect(noRecipients.json().error.code).toBe("ErrorInvalidRecipients");
    const notAnAddress = await send({
      toRecipients: [{ emailAddress: { address: "not an address" } }],
    });
    expect(notAnAddress.statusCode).toBe(400);
    const badType = await send({
      body: { contentType: "rtf", content: "x" },
      toRecipients: [{ emailAddress: { address: bob.address } }],
    });
    expect(badType.statusCode).toBe(400);
    expect(badType.json().error.code).toBe("BadRequest");
    const spoofed = await send({
      from: { emailAddress: { address: bob.address } },
      toRecipients: [{ emailAddress: { address: bob.address } }],
    });
    expect(spoofed.statusCode).toBe(403);
    expect(spoofed.json().error.code).toBe("ErrorSendAsDenied");
    const notJson = await app.inject({
      method: "POST",
      url: "/v1.0/me/sendMail",
      headers: { ...bearer(await ada.token("Mail.Send")), "content-type": "application/json" },
      payload: "{not json",
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe("BadRequest");
  });

  it("app-only Mail.Read.All reads any mailbox of its own tenant, never another tenant's", async (ctx) => {
    if (!t) return ctx.skip();
    const domainA = await hostedTenantA();
    const domainB = uniqueDomain("fabrikam");
    await addHostedDomain(t.database.db, domainB, tenantB);
    const bob = user(tenantA, `bob@${domainA}`);
    const eve = user(tenantB, `eve@${domainB}`);
    await get("/v1.0/me", await bob.token("User.Read")); // binds bob's mailbox to his oid
    await deliver(t.database.db, {
      from: { address: "no-reply@assent.localhost" },
      toRecipients: [{ address: bob.address }, { address: eve.address }],
      subject: "Quarterly report",
      body: { contentType: "text", content: "Numbers." },
    });

    const daemonA = await appToken(tenantA, ["Mail.Read.All"]);
    const byUpn = await get(`/v1.0/users/${bob.address}/messages`, daemonA);
    expect(byUpn.statusCode).toBe(200);
    expect(byUpn.json().value).toHaveLength(1);
    expect(byUpn.json().value[0].body.content).toBe("Numbers.");
    const byId = await get(`/v1.0/users/${bob.oid}/messages`, daemonA);
    expect(byId.json().value.map((m: { id: string }) => m.id)).toEqual(
      byUpn.json().value.map((m: { id: string }) => m.id),
    );
    const one = await get(
      `/v1.0/users/${bob.address}/messages/${byUpn.json().value[0].id}`,
      daemonA,
    );
    expect(one.statusCode).toBe(200);

    const crossTenant = await get(`/v1.0/users/${eve.address}/messages`, daemonA);
    expect(crossTenant.statusCode).toBe(404);
    expect(crossTenant.json().error.code).toBe("ErrorInvalidUser");
    const daemonB = await appToken(tenantB, ["Mail.Read.All"]);
    expect((await get(`/v1.0/users/${bob.address}/messages`, daemonB)).statusCode).toBe(404);
    expect((await get(`/v1.0/users/${eve.address}/messages`, daemonB)).statusCode).toBe(200);

    const noRole = await get(`/v1.0/users/${bob.address}/messages`, await appToken(tenantA));
    expect(noRole.statusCode).toBe(403);
    expect(noRole.json().error.message).toMatch(/Requires one of: .*Mail\.Read\.All/);
    // A delegated token may use /users/{id} only for its own mailbox.
    const alice = user(tenantA, `alice@${domainA}`);
    const other = await get(`/v1.0/users/${bob.address}/messages`, await alice.token("Mail.Read"));
    expect(other.statusCode).toBe(403);
    const own = await get(`/v1.0/users/${bob.address}/messages`, await bob.token("Mail.Read"));
    expect(own.statusCode).toBe(200);
  });

  it("a token of tenant A never maps to a mailbox of a domain hosted for tenant B", async (ctx) => {
    if (!t) return ctx.skip();
    const domainB = uniqueDomain("fabrikam");
    await addHostedDomain(t.database.db, domainB, tenantB);
    const eve = user(tenantB, `eve@${domainB}`);
    await deliver(t.database.db, {
      from: { address: "x@assent.localhost" },
      toRecipients: [{ address: eve.address }],
      subject: "secret",
      body: { contentType: "text", content: "for eve only" },
    });
    // Tenant A's token claiming eve's UPN.
    const impostor = user(tenantA, eve.address);
    const r = await get("/v1.0/me/messages", await impostor.token("Mail.Read"));
    expect(r.statusCode).toBe(404);
    expect(r.json().error.code).toBe("MailboxNotEnabledForRESTAPI");
    expect((await get("/v1.0/me", await impostor.token("User.Read"))).json().mail).toBeNull();

    // Within the tenant, a mailbox bound to one user is not handed to another object id.
    await get("/v1.0/me", await eve.token("User.Read"));
    const successor = user(tenantB, eve.address);
    const s = await get("/v1.0/me/messages", await successor.token("Mail.Read"));
    expect(s.statusCode).toBe(403);
    expect(s.json().error.code).toBe("ErrorAccessDenied");
    const real = await get("/v1.0/me/messages", await eve.token("Mail.Read"));
    expect(real.json().value[0].body.content).toBe("for eve only");
  });
});
