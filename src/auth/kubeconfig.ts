// Writes a standard kubeconfig (one cluster, one user, one context, current-context set) with
// the CA and client credentials embedded as base64 `*-data` fields, so the file is self-contained
// and can be copied elsewhere. Written atomically with mode 0600: it holds a private key.
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { stringify } from "yaml";
import { writeFileAtomic } from "./credential-files.js";
import { ADMIN_USER } from "./pki.js";

export interface KubeconfigOptions {
  /** https://host:port of the API server. */
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Names the cluster and the context; default "kubelite". */
  clusterName?: string;
  /** Names the user entry; default "kubelite-admin". */
  user?: string;
}

export async function writeKubeconfig(path: string, options: KubeconfigOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, renderKubeconfig(options), 0o600);
}

export function renderKubeconfig(options: KubeconfigOptions): string {
  const cluster = scalar(options.clusterName ?? "kubelite");
  const user = scalar(options.user ?? ADMIN_USER);
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `  - name: ${cluster}`,
    "    cluster:",
    `      server: ${scalar(options.server)}`,
    `      certificate-authority-data: ${base64(options.caPem)}`,
    "users:",
    `  - name: ${user}`,
    "    user:",
    `      client-certificate-data: ${base64(options.certPem)}`,
    `      client-key-data: ${base64(options.keyPem)}`,
    "contexts:",
    `  - name: ${cluster}`,
    "    context:",
    `      cluster: ${cluster}`,
    `      user: ${user}`,
    `current-context: ${cluster}`,
    "preferences: {}",
    "",
  ].join("\n");
}

/** A string as a YAML scalar: plain when YAML would read it back as that same string, else double-quoted (JSON's quoting is YAML's). */
function scalar(value: string): string {
  const plain = /^[A-Za-z0-9_./][A-Za-z0-9_./:@+=-]*$/.test(value) && !value.endsWith(":") && !/^(true|false|yes|no|on|off|null|~|[-+.0-9][-+.0-9eE_]*)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

function base64(pem: string): string {
  return Buffer.from(pem, "utf8").toString("base64");
}
