// Reads a kubeconfig the way kubectl does for kubelite's own commands (`kubelite why`, `kubelite
// secrets`...): the file from --kubeconfig, else the first of $KUBECONFIG, else ./.kubelite's; the
// current context (or the one asked for); credentials embedded (`*-data`) or in files relative to
// the kubeconfig; client certificate or bearer token.
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parse } from "yaml";
import type { HttpClientConfig } from "../client/http.js";

interface NamedEntry<T> {
  name: string;
  [field: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}
type Fields = Record<string, string | undefined>;

export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KubeconfigError";
  }
}

/** The kubeconfig path kubelite's commands use when none is given. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.KUBECONFIG?.split(":").find((p) => p !== "");
  return resolve(fromEnv ?? join(".kubelite", "kubeconfig.yaml"));
}

export async function readKubeconfig(path: string = defaultKubeconfigPath(), contextName?: string): Promise<HttpClientConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new KubeconfigError(`cannot read the kubeconfig ${path}: ${(err as Error).message} (give --kubeconfig, set KUBECONFIG, or start a server with kubelite server)`);
  }
  const config = (parse(text) ?? {}) as { "current-context"?: string; contexts?: NamedEntry<Fields>[]; clusters?: NamedEntry<Fields>[]; users?: NamedEntry<Fields>[] };
  const wanted = contextName ?? config["current-context"];
  const context = config.contexts?.find((c) => c.name === wanted)?.context;
  if (!context) throw new KubeconfigError(`${path}: context ${JSON.stringify(wanted ?? "")} not found`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster?.server) throw new KubeconfigError(`${path}: cluster ${JSON.stringify(context.cluster ?? "")} has no server`);
  const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
  const base = dirname(path);
  const caPem = await material(cluster["certificate-authority-data"], cluster["certificate-authority"], base);
  if (!caPem) throw new KubeconfigError(`${path}: cluster ${JSON.stringify(context.cluster)} has no certificate authority`);
  return {
    server: cluster.server,
    caPem,
    certPem: await material(user["client-certificate-data"], user["client-certificate"], base),
    keyPem: await material(user["client-key-data"], user["client-key"], base),
    token: user.token ?? (user.tokenFile ? (await readFile(relative(base, user.tokenFile), "utf8")).trim() : undefined),
  };
}

async function material(data: string | undefined, file: string | undefined, base: string): Promise<string | undefined> {
  if (data) return Buffer.from(data, "base64").toString("utf8");
  if (file) return readFile(relative(base, file), "utf8");
  return undefined;
}

function relative(base: string, file: string): string {
  return isAbsolute(file) ? file : join(base, file);
}
