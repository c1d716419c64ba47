import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

/**
 * A real token issuer for Mail's tests: per tenant, signing keys made with jose and a JWKS
 * served over HTTP at `/{tid}/discovery/v2.0/keys` on 127.0.0.1, as Identity serves them. Mail
 * validates its tokens end to end (fetch, cache, rotation); nothing of jose is mocked.
 */
export interface TestIssuer {
  /** The trusted issuer base: issuer of tenant T is `${base}/${T}/v2.0`. */
  base: string;
  /** JWKS requests served so far, per tenant. */
  fetches: Map<string, number>;
  /** A new tenant with one published RS256 key. */
  addTenant(): Promise<string>;
  /** Publishes a new key for the tenant (rotation); returns its kid. */
  addKey(tenantId: string, alg?: "RS256" | "ES256"): Promise<string>;
  /** A key pair whose public half is never published. */
  unpublishedKey(alg?: "RS256" | "ES256"): Promise<SigningKey>;
  /** Signs an access token for the tenant; `claims` override the defaults (undefined removes one). */
  token(
    tenantId: string,
    claims?: Record<string, unknown>,
    options?: TokenOptions,
  ): Promise<string>;
  close(): Promise<void>;
}

export interface SigningKey {
  kid: string;
  alg: "RS256" | "ES256";
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TokenOptions {
  /** Sign with this key instead of the tenant's newest. */
  key?: SigningKey;
  typ?: string;
}

export const MAIL_AUDIENCE = "api://assent-mail";

async function makeKey(alg: "RS256" | "ES256"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicJwk };
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const keys = new Map<string, SigningKey[]>();
  const fetches = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const match = /^\/([^/]+)\/discovery\/v2\.0\/keys$/.exec(req.url ?? "");
    const tenantKeys = match?.[1] ? keys.get(match[1]) : undefined;
    if (!match?.[1] || !tenantKeys) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
      return;
    }
    fetches.set(match[1], (fetches.get(match[1]) ?? 0) + 1);
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ keys: tenantKeys.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const issuer: TestIssuer = {
    base,
    fetches,
    async addTenant() {
      const tenantId = randomUUID();
      keys.set(tenantId, [await makeKey("RS256")]);
      return tenantId;
    },
    async addKey(tenantId, alg = "RS256") {
      const key = await makeKey(alg);
      keys.get(tenantId)?.push(key);
      return key.kid;
    },
    unpublishedKey: (alg = "RS256") => makeKey(alg),
    async token(tenantId, claims = {}, options = {}) {
      const key = options.key ?? keys.get(tenantId)?.at(-1);
      if (!key) throw new Error(`no key for tenant ${tenantId}`);
      const now = Math.floor(Date.now() / 1000);
      const oid = randomUUID();
      const payload: Record<string, unknown> = {
        iss: `${base}/${tenantId}/v2.0`,
        aud: MAIL_AUDIENCE,
        iat: now,
        nbf: now,
        exp: now + 3600,
        tid: tenantId,
        oid,
        sub: oid,
        azp: "11111111-2222-3333-4444-555555555555",
        ver: "2.0",
        ...claims,
      };
      for (const [name, value] of Object.entries(payload))
        if (value === undefined) delete payload[name];
      return new SignJWT(payload)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: options.typ ?? "at+jwt" })
        .sign(key.privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return issuer;
}

/** A directory user of a tenant: an object id, a UPN, and delegated tokens on demand. */
export function directoryUser(
  issuer: TestIssuer,
  tenantId: string,
  address: string,
  name = address.split("@")[0],
) {
  const oid = randomUUID();
  return {
    oid,
    address,
    token: (scp: string) =>
      issuer.token(tenantId, { oid, sub: oid, scp, preferred_username: address, name }),
  };
}

/** An app-only (client credentials) token, with the application permissions given. */
export function appOnlyToken(issuer: TestIssuer, tenantId: string, roles?: string[]) {
  return issuer.token(tenantId, { oid: randomUUID(), idtyp: "app", ...(roles ? { roles } : {}) });
}
