import { randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair, type JWK } from "jose";

export type SigningAlg = "RS256" | "ES256";

/**
 * The algorithms every tenant signs with. RS256 is the default `id_token_signed_response_alg`
 * (OIDC Discovery section 3: RS256 MUST be supported) and what Entra uses; ES256 is offered to
 * clients that ask for it.
 */
export const SIGNING_ALGS: readonly SigningAlg[] = ["RS256", "ES256"];

// NIST SP 800-57: 2048-bit RSA gives 112-bit security, enough for keys rotated in months.
const RSA_MODULUS_LENGTH = 2048;
// 16 random bytes: key ids only need to be unique, and must not reveal key material.
const KID_BYTES = 16;

export interface GeneratedSigningKey {
  kid: string;
  alg: SigningAlg;
  /** With kid, alg and use: "sig"; includes the private parameters. */
  privateJwk: JWK;
  /** The same without any private parameter: what the JWKS endpoint publishes. */
  publicJwk: JWK;
}

/** Generates one signing key pair and exports both halves as JWKs. */
export async function generateSigningKey(alg: SigningAlg): Promise<GeneratedSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === "RS256" ? { modulusLength: RSA_MODULUS_LENGTH } : {}),
  });
  const kid = randomBytes(KID_BYTES).toString("base64url");
  const meta = { kid, alg, use: "sig" };
  return {
    kid,
    alg,
    privateJwk: { ...(await exportJWK(privateKey)), ...meta },
    publicJwk: { ...(await exportJWK(publicKey)), ...meta },
  };
}
