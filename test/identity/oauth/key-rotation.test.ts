import { decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rotateSigningKeys } from "../../../src/identity/keys/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { type IdentityServer, type Seeded, seedTenant, startIdentity } from "./support/fixture.ts";
import { basic, postToken } from "./support/protocol.ts";

async function publishedKids(s: Seeded): Promise<string[]> {
  const response = await fetch(`${s.issuer.replace(/\/v2\.0$/, "")}/discovery/v2.0/keys`);
  const { keys } = (await response.json()) as { keys: Array<{ kid: string; d?: string }> };
  for (const key of keys) expect(key.d).toBeUndefined();
  return keys.map((k) => k.kid);
}

async function appToken(s: Seeded): Promise<string> {
  const { status, body } = await postToken(
    s,
    { grant_type: "client_credentials", scope: "api://assent-mail/.default" },
    basic(s.web.appId, s.webSecret),
  );
  expect(status).toBe(200);
  return String(body.access_token);
}

describe.each(["pglite", "postgres"] as const)("signing key rotation on %s", (kind) => {
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

  it("takes effect on the next request, without a restart", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "keys-rotate");
    const before = await publishedKids(s);
    const oldKid = decodeProtectedHeader(await appToken(s)).kid as string;
    expect(before).toContain(oldKid);

    const { added, retired } = await rotateSigningKeys(t.database.db, server.keyRing, s.tenant.id);
    expect(retired).toContain(oldKid);

    const after = await publishedKids(s);
    for (const kid of added) expect(after).toContain(kid);
    // The retired key stays published, so tokens it signed keep verifying until they expire.
    expect(after).toContain(oldKid);
    const newKid = decodeProtectedHeader(await appToken(s)).kid as string;
    expect(added).toContain(newKid);
    expect(newKid).not.toBe(oldKid);
  });
});
