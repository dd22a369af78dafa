// The key pair that signs service-account tokens (upstream's --service-account-key-file and
// --service-account-signing-key-file in one): an ECDSA P-256 key created in DATA_DIR/tls/ on first
// start (mode 0600) and reused afterwards, so tokens issued before a restart stay valid. The key
// id (`kid`) is the base64url SHA-256 of the public key's DER, as upstream computes it.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { readFileIfExists, writeFileAtomic } from "./credential-files.js";

export const SERVICE_ACCOUNT_KEY_FILE = "service-account.key";

export interface ServiceAccountKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The JWT header's `kid`. */
  keyId: string;
}

export async function loadOrCreateServiceAccountKey(dataDir: string): Promise<ServiceAccountKey> {
  const dir = join(dataDir, "tls");
  const path = join(dir, SERVICE_ACCOUNT_KEY_FILE);
  const stored = await readFileIfExists(path);
  if (stored !== undefined) return serviceAccountKeyFrom(createPrivateKey(stored), path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  await writeFileAtomic(path, privateKey.export({ type: "pkcs8", format: "pem" }).toString(), 0o600);
  return serviceAccountKeyFrom(privateKey, path);
}

function serviceAccountKeyFrom(privateKey: KeyObject, path: string): ServiceAccountKey {
  if (privateKey.asymmetricKeyType !== "ec" || privateKey.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new Error(`${path} must hold an ECDSA P-256 private key (PKCS#8 PEM); remove it to create a new one (tokens issued with it stop working)`);
  }
  const publicKey = createPublicKey(privateKey);
  const keyId = createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("base64url");
  return { privateKey, publicKey, keyId };
}
