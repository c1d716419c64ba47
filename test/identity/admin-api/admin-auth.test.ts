import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR, createSignInRecorder } from "../../../src/identity/activity/index.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { rotateSigningKeys } from "../../../src/identity/keys/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import {
  apiGet,
  appOnlyToken,
  delegatedToken,
  expectDeclared,
  type IdentityServer,
  mailToken,
  seedAdminTenant,
  startIdentity,
} from "./support.ts";

const SIGN_INS = "/api/v1/auditLogs/signIns";
const AUDITS = "/api/v1/auditLogs/directoryAudits";

/** A token with its payload changed and the original signature kept. */
function tamper(token: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<
    string,
    unknown
  >;
  change(claims);
  return [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".");
}

describe.each(["pglite", "postgres"] as const)("admin API authentication on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (t) server = await startIdentity(t);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it("answers a real app-only token holding AuditLog.Read.All, with the declared shape", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "adm-app");
    const token = await appOnlyToken(t, s, ["AuditLog.Read.All"]);
    const signIns = await apiGet(server, SIGN_INS, token);
    expect(signIns.status).toBe(200);
    expectDeclared("GET", SIGN_INS, signIns.body);
    const audits = await apiGet(server, AUDITS, token);
    expect(audits.status).toBe(200);
    expectDeclared("GET", AUDITS, audits.body);
    // The tenant's own directory changes are there ("Add user" for the seeded users).
    expect(
      audits.body.value.map((e: { activityDisplayName: string }) => e.activityDisplayName),
    ).toContain("Add user");
  });

  it("refuses an app-only token without the permission (403 insufficient_scope)", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "adm-app-scope");
    const token = await appOnlyToken(t, s, ["Directory.Read.All"]);
    const r = await apiGet(server, SIGN_INS, token);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("authorization.insufficient_scope");
    expect(r.body.error.message).toContain("AuditLog.Read.All");
    expect(r.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
  });

  it("checks a delegated token's user against their directory roles NOW, not the token", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "adm-delegated");
    const directory = createDirectory({ database: t.database });

    const reader = await delegatedToken(t, s, s.users.reader);
    expect((await apiGet(server, SIGN_INS, reader)).status).toBe(200);
    const admin = await delegatedToken(t, s, s.users.globalAdmin);
    expect((await apiGet(server, SIGN_INS, admin)).status).toBe(200);

    // Application Administrator is not a log reader.
    const appAdmin = await apiGet(server, SIGN_INS, await delegatedToken(t, s, s.users.appAdmin));
    expect(appAdmin.status).toBe(403);
    expect(appAdmin.body.error.code).toBe("authorization.role_required");
    expect(appAdmin.body.error.message).toContain("Reports Reader");
    expect(appAdmin.body.error.details.roles).toEqual(["application_administrator"]);

    // The same token of a user without a role starts working once the role is assigned...
    const plain = await delegatedToken(t, s, s.users.plain);
    expect((await apiGet(server, SIGN_INS, plain)).status).toBe(403);
    await directory.roles.assign(s.tenant.id, s.users.plain.id, "global_reader", CLI_ACTOR);
    expect((await apiGet(server, SIGN_INS, plain)).status).toBe(200);
    // ...and the reader's token stops working the moment the role is removed.
    await directory.roles.unassign(s.tenant.id, s.users.reader.id, "reports_reader", CLI_ACTOR);
    const removed = await apiGet(server, SIGN_INS, reader);
    expect(removed.status).toBe(403);
    expect(removed.body.error.code).toBe("authorization.role_required");
  });

  it("refuses a delegated token without the scope, even for a Global Administrator", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "adm-scp");
    const token = await delegatedToken(t, s, s.users.globalAdmin, { scp: "Directory.Read.All" });
    const r = await apiGet(server, SIGN_INS, token);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("authorization.insufficient_scope");
  });

  it("answers 401 with a challenge for no token, another audience, an expired or tampered token", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "adm-401");

    const none = await apiGet(server, SIGN_INS);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("authentication.required");
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="assent-admin"');

    const refused = async (token: string, reason: RegExp) => {
      const r = await apiGet(server, SIGN_INS, token);
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe("authentication.invalid_token");
      expect(r.body.error.message).toMatch(reason);
      expect(r.body.request_id).toBeTruthy();
      expect(r.headers.get("www-authenticate")).toMatch(
        /^Bearer realm="assent-admin", error="invalid_token"/,
      );
    };
    // A real token of the same tenant, for Assent Mail.
    await refused(await mailToken(s), /not for this API/);
    await refused(
      await delegatedToken(t, s, s.users.reader, { aud: "api://assent-mail" }),
      /not for this API/,
    );
    await refused(await delegatedToken(t, s, s.users.reader, { expiresIn: -300 }), /expired/);
    const real = await appOnlyToken(t, s, ["Directory.Read.All"]);
    await refused(
      tamper(real, (claims) => {
        claims.roles = ["AuditLog.Read.All"];
      }),
      /signature/,
    );
    await refused("not-a-jwt", /not a signed JWT/);
    await refused(
      await delegatedToken(t, s, s.users.reader, { issuer: `${server.baseUrl}/common/v2.0` }),
      /issuer/,
    );
  });

  it("refuses a delegated token of a user who has since been disabled", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "adm-disabled");
    const token = await delegatedToken(t, s, s.users.globalAdmin);
    await createDirectory({ database: t.database }).users.disable(
      s.tenant.id,
      s.users.globalAdmin.id,
      CLI_ACTOR,
    );
    const r = await apiGet(server, SIGN_INS, token);
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/disabled/);
  });

  it("follows key rotation on the next request", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "adm-rotate");
    const before = await delegatedToken(t, s, s.users.reader);
    expect((await apiGet(server, SIGN_INS, before)).status).toBe(200);
    await rotateSigningKeys(t.database.db, server.keyRing, s.tenant.id);
    // New key: known at once; old key: still published for its overlap.
    expect(
      (await apiGet(server, SIGN_INS, await delegatedToken(t, s, s.users.reader))).status,
    ).toBe(200);
    expect((await apiGet(server, SIGN_INS, before)).status).toBe(200);
    // Withdrawn at once (a compromised key): its tokens stop verifying on the next request.
    const current = await delegatedToken(t, s, s.users.reader);
    await rotateSigningKeys(t.database.db, server.keyRing, s.tenant.id, { publishOldFor: 0 });
    const withdrawn = await apiGet(server, SIGN_INS, current);
    expect(withdrawn.status).toBe(401);
    expect(withdrawn.body.error.message).toMatch(/key its tenant does not publish/);
  });

  it("shows a tenant only its own events: another tenant's token sees none of them", async (ctx) => {
    if (!t) return ctx.skip();
    const a = await seedAdminTenant(t, server, "adm-iso-a");
    const b = await seedAdminTenant(t, server, "adm-iso-b");
    const recorder = createSignInRecorder({ db: t.database.db, logger: pino({ level: "silent" }) });
    for (const s of [a, b])
      recorder.record({
        tenantId: s.tenant.id,
        requestId: `req-${s.tenant.slug}`,
        eventType: "interactiveUser",
        status: "failure",
        errorCode: 50126,
        user: { id: s.user.id, userPrincipalName: s.user.userPrincipalName },
      });
    await recorder.close();
    const tokenA = await appOnlyToken(t, a);
    const tokenB = await appOnlyToken(t, b);

    const listA = await apiGet(server, SIGN_INS, tokenA);
    type Listed = { id: string; requestId: string; eventType: string; status: string };
    const seenByA = listA.body.value as Listed[];
    // A sees its seeded failure and its own app-only token requests (real sign-in events of
    // tenant A since the sign-in log is wired into the token endpoint), and nothing of B's.
    expect(seenByA.filter((e) => e.requestId.startsWith("req-")).map((e) => e.requestId)).toEqual([
      "req-adm-iso-a",
    ]);
    for (const e of seenByA.filter((x) => !x.requestId.startsWith("req-")))
      expect(e).toMatchObject({ status: "success" });
    const eventA = seenByA.find((e) => e.requestId === "req-adm-iso-a")!.id;
    const listB = await apiGet(server, `${SIGN_INS}?requestId=req-adm-iso-a`, tokenB);
    expect(listB.status).toBe(200);
    expect(listB.body.value).toEqual([]);
    const getB = await apiGet(server, `${SIGN_INS}/${eventA}`, tokenB);
    expect(getB.status).toBe(404);
    expect(getB.body.error.code).toBe("sign_in.not_found");
    expect((await apiGet(server, `${SIGN_INS}/${eventA}`, tokenA)).status).toBe(200);

    // The audit log too: tenant A's "Add user" events are not B's to read.
    const auditA = await apiGet(server, `${AUDITS}?activity=Add%20user`, tokenA);
    const auditIdA = auditA.body.value[0].id as string;
    expect((await apiGet(server, `${AUDITS}/${auditIdA}`, tokenB)).status).toBe(404);
    const byTarget = await apiGet(server, `${AUDITS}?targetId=${a.user.id}`, tokenB);
    expect(byTarget.body.value).toEqual([]);
    expect((await apiGet(server, `${AUDITS}/${auditIdA}`, tokenA)).status).toBe(200);

    // A token of B claiming to be A's is signed with B's key: refused.
    const forged = await delegatedToken(t, b, b.users.reader, { issuer: a.issuer });
    const claimsA = tamper(forged, (claims) => {
      claims.tid = a.tenant.id;
    });
    expect((await apiGet(server, SIGN_INS, claimsA)).status).toBe(401);
  });

  it("publishes an OpenAPI 3.1 document whose references all resolve", async (ctx) => {
    if (!t) return ctx.skip();
    const r = await apiGet(server, "/api/openapi.json");
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe("3.1.0");
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining([
        SIGN_INS,
        `${SIGN_INS}/{id}`,
        `${SIGN_INS}/export`,
        AUDITS,
        `${AUDITS}/{id}`,
        `${AUDITS}/export`,
      ]),
    );
    const list = r.body.paths[SIGN_INS].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["from", "to", "user", "status", "requestId", "top", "cursor"]),
    );
    const refs = [...r.text.matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(r.body.components.schemas[ref.split("/").pop()!]).toBeDefined();
    }
  });
});
