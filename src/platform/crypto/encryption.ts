import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Encryption at rest with AES-256-GCM under a key ring: the first key encrypts, every key in
 * the ring decrypts, so keys rotate by putting the new one first and keeping the old ones until
 * everything has been re-encrypted.
 *
 * Envelope: `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url), where the key id is the first
 * 8 bytes of SHA-256 of the key, so decryption picks the right key without trying them all.
 * The optional `context` is bound as additional authenticated data: a ciphertext moved to
 * another row (say another tenant's key) fails to decrypt.
 */
export class KeyRing {
  readonly #keys: Map<string, Buffer>;
  readonly #current: { id: string; key: Buffer };

  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new Error("a key ring needs at least one key");
    this.#keys = new Map();
    for (const key of keys) {
      if (key.length !== 32) throw new Error("encryption keys must be 32 bytes");
      this.#keys.set(keyId(key), key);
    }
    const first = keys[0]!;
    this.#current = { id: keyId(first), key: first };
  }

  encrypt(plaintext: string, context = ""): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#current.key, iv);
    cipher.setAAD(Buffer.from(context));
    const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return ["v1", this.#current.id, b64(iv), b64(data), b64(cipher.getAuthTag())].join(".");
  }

  decrypt(envelope: string, context = ""): string {
    const [version, id, iv, data, tag] = envelope.split(".");
    if (version !== "v1" || !id || !iv || data === undefined || !tag)
      throw new Error("not an encrypted value");
    const key = this.#keys.get(id);
    if (!key)
      throw new Error(
        "encrypted with a key that is not in the key ring (ASSENT_SECRET_KEY_PREVIOUS?)",
      );
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([
      decipher.update(Buffer.from(data, "base64url")),
      decipher.final(),
    ]).toString("utf8");
  }

  /** True when the value was encrypted under an older key and should be re-encrypted. */
  isStale(envelope: string): boolean {
    return envelope.split(".")[1] !== this.#current.id;
  }
}

function b64(buffer: Buffer): string {
  return buffer.toString("base64url");
}

function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest().subarray(0, 8).toString("base64url");
}

/** Parses a configured key: 32 bytes as base64 (standard or url-safe) or 64 hex digits. */
export function parseKey(text: string, variable = "ASSENT_SECRET_KEY"): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, "hex")
    : Buffer.from(trimmed, "base64");
  if (key.length !== 32)
    throw new Error(
      `${variable}: must be 32 random bytes as base64 or hex (try: openssl rand -base64 32)`,
    );
  return key;
}
