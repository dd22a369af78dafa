// The pod-template-hash that names a Deployment's ReplicaSets and a DaemonSet's ControllerRevisions
// (upstream controller.ComputeHash): FNV-32a over the pod template, then, when the owner has a
// collisionCount, over that count as 8 little-endian bytes (a uint32 and four zero bytes); the
// decimal sum is then "safe-encoded" (rand.SafeEncodeString: each character mapped into consonants
// and digits that cannot spell words). Upstream hashes Go's spew dump of the template struct; we
// hash its canonical JSON (sorted keys), so the same template always gives the same name here, but
// not upstream's exact string.
import { canonicalJson } from "./canonical-json.js";

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;
/** rand.alphanums: no vowels, no 0/1/3 (which look like letters). */
const SAFE_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

export function computeHash(template: unknown, collisionCount?: number): string {
  let hash = fnv32a(FNV32_OFFSET, new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv32a(hash, bytes);
  }
  return safeEncodeString(String(hash));
}

function fnv32a(seed: number, bytes: Uint8Array): number {
  let hash = seed;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, FNV32_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/** rand.SafeEncodeString. */
export function safeEncodeString(s: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(s)) out += SAFE_ALPHANUMS[byte % SAFE_ALPHANUMS.length];
  return out;
}
