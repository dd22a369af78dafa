// AES-256-GCM envelope for stored values, in upstream's aesgcm provider shape: a prefix naming the
// provider and key (`k8s:enc:aesgcm:v1:<key>:`), then a fresh 12-byte nonce, the ciphertext and the
// 16-byte tag. The storage key is the additional authenticated data, so a value copied under another
// key does not decrypt (upstream binds it the same way). Our Store holds UTF-8 strings, so the binary
// part is base64.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export const AESGCM_PREFIX = "k8s:enc:aesgcm:v1:";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface EncryptionKey {
  name: string;
  /** 32 random bytes. */
  secret: Buffer;
}

export function encrypt(plaintext: string, key: EncryptionKey, storageKey: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.secret, nonce);
  cipher.setAAD(Buffer.from(storageKey));
  const sealed = Buffer.concat([nonce, cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${AESGCM_PREFIX}${key.name}:${sealed.toString("base64")}`;
}

/** The key name an encrypted value names, or undefined for a plaintext value. */
export function encryptedWith(value: string): string | undefined {
  if (!value.startsWith(AESGCM_PREFIX)) return undefined;
  const end = value.indexOf(":", AESGCM_PREFIX.length);
  return end < 0 ? undefined : value.slice(AESGCM_PREFIX.length, end);
}

export class DecryptionError extends Error {
  constructor(storageKey: string, reason: string) {
    super(`cannot decrypt the stored value of ${storageKey}: ${reason}`);
    this.name = "DecryptionError";
  }
}

export function decrypt(value: string, keys: ReadonlyMap<string, EncryptionKey>, storageKey: string): string {
  const name = encryptedWith(value);
  if (name === undefined) throw new DecryptionError(storageKey, "not an aesgcm value");
  const key = keys.get(name);
  if (!key) throw new DecryptionError(storageKey, `it was encrypted with key "${name}", which is not among the server's keys`);
  const sealed = Buffer.from(value.slice(AESGCM_PREFIX.length + name.length + 1), "base64");
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionError(storageKey, "the value is truncated");
  const decipher = createDecipheriv("aes-256-gcm", key.secret, sealed.subarray(0, NONCE_BYTES));
  decipher.setAAD(Buffer.from(storageKey));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptionError(storageKey, "authentication failed (wrong key, or the value was altered or moved)");
  }
}
