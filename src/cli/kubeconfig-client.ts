// An HTTP Client for commands that talk to a running cluster as kubectl does: the kubeconfig named
// by --kubeconfig, else $KUBECONFIG (its first file), else the server's default DATA_DIR
// (./.kubelite/kubeconfig.yaml); its current context's cluster and user (embedded `*-data` or
// file paths for the CA and client certificate, or a bearer token).
import { readFile } from "node:fs/promises";
import { delimiter, dirname, resolve } from "node:path";
import { parse } from "yaml";
import { HttpClient } from "../client/http.js";

export const DEFAULT_KUBECONFIG = "./.kubelite/kubeconfig.yaml";

interface Named {
  name: string;
  [key: string]: unknown;
}

type Fields = Record<string, string | undefined>;

export function kubeconfigPath(flag: string | undefined): string {
  return flag ?? process.env.KUBECONFIG?.split(delimiter).find(Boolean) ?? DEFAULT_KUBECONFIG;
}

export async function clientFromKubeconfig(path: string): Promise<HttpClient> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read the kubeconfig ${path}: ${(err as Error).message} (set --kubeconfig or KUBECONFIG, or start the server here)`);
  }
  const config = (parse(text) ?? {}) as { "current-context"?: string; contexts?: Named[]; clusters?: Named[]; users?: Named[] };
  const contextName = config["current-context"];
  const context = entry(config.contexts, contextName, "context", "context", path);
  const cluster = entry(config.clusters, context.cluster, "cluster", "cluster", path);
  const user = context.user ? entry(config.users, context.user, "user", "user", path) : {};
  const base = dirname(resolve(path));
  const server = cluster.server;
  if (!server) throw new Error(`the kubeconfig ${path} names no server for cluster ${context.cluster}`);
  return new HttpClient({
    server,
    caPem: (await material(cluster, "certificate-authority", base)) ?? "",
    certPem: await material(user, "client-certificate", base),
    keyPem: await material(user, "client-key", base),
    token: user.token,
    userAgent: "kubelite-cli",
  });
}

function entry(list: Named[] | undefined, name: string | undefined, kind: string, field: string, path: string): Fields {
  const found = (list ?? []).find((item) => item.name === name) ?? (name === undefined ? list?.[0] : undefined);
  if (!found) throw new Error(`the kubeconfig ${path} has no ${kind} ${JSON.stringify(name ?? "")}`);
  return (found[field] ?? {}) as Fields;
}

/** `<field>-data` (base64) or `<field>` (a file path relative to the kubeconfig). */
async function material(fields: Fields, field: string, base: string): Promise<string | undefined> {
  const data = fields[`${field}-data`];
  if (data) return Buffer.from(data, "base64").toString("utf8");
  const file = fields[field];
  return file ? readFile(resolve(base, file), "utf8") : undefined;
}
