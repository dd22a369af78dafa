// Names of the kernel objects kubelite creates. Network namespaces are host-global, so every name
// is derived from a short hash of the data dir (and node, and sandbox): two clusters started
// side by side on one host, such as parallel test runs, never pick the same name.
import { createHash } from "node:crypto";
import path from "node:path";

const NETNS_DIR = "/var/run/netns";

function shortHash(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 8);
}

/** The node's network namespace: `kl-<8 hex>`. */
export function nodeNetnsName(dataDir: string, nodeName: string): string {
  return `kl-${shortHash(path.resolve(dataDir), nodeName)}`;
}

/** A pod's network namespace: the node's name plus a hash of the sandbox id. */
export function podNetnsName(nodeNetns: string, sandboxId: string): string {
  return `${nodeNetns}-${shortHash(sandboxId)}`;
}

/** The hub namespace that joins the node namespaces of one cluster: `klh-<8 hex>`. */
export function hubNetnsName(dataDir: string): string {
  return `klh-${shortHash(path.resolve(dataDir))}`;
}

/** The hub-side end of a node's link; interface names are at most 15 bytes. */
export function hubLinkName(nodeNetns: string): string {
  return `kh${shortHash(nodeNetns)}`;
}

export function netnsPath(name: string): string {
  return path.join(NETNS_DIR, name);
}

/**
 * A CNI container id for a sandbox: the spec allows letters, digits, `_`, `.` and `-`, starting
 * with a letter or digit. Ids already in that form are kept, so host-local's files stay readable.
 */
export function cniContainerId(sandboxId: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(sandboxId) ? sandboxId : `sb-${shortHash(sandboxId)}`;
}

/** A file name for a sandbox's record; the same hash as its namespace. */
export function recordFileName(sandboxId: string): string {
  return `${shortHash(sandboxId)}.json`;
}

/**
 * A fixed, locally administered MAC for the node's bridge. A bridge without an assigned MAC takes
 * the lowest MAC of its ports, so it would change whenever a pod leaves and pods' ARP entries for
 * the gateway would go stale.
 */
export function bridgeMac(nodeNetns: string): string {
  const bytes = createHash("sha256").update(`bridge\0${nodeNetns}`).digest().subarray(0, 5);
  return ["02", ...[...bytes].map((b) => b.toString(16).padStart(2, "0"))].join(":");
}
