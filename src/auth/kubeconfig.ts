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
  const cluster = options.clusterName ?? "kubelite";
  const user = options.user ?? ADMIN_USER;
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: cluster, cluster: { server: options.server, "certificate-authority-data": base64(options.caPem) } }],
    users: [
      {
        name: user,
        user: { "client-certificate-data": base64(options.certPem), "client-key-data": base64(options.keyPem) },
      },
    ],
    contexts: [{ name: cluster, context: { cluster, user } }],
    "current-context": cluster,
    preferences: {},
  };
  return stringify(config, { lineWidth: 0 });
}

function base64(pem: string): string {
  return Buffer.from(pem, "utf8").toString("base64");
}
