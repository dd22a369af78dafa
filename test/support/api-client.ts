// A minimal HTTPS client for tests that must send exactly the bytes they choose (malformed bodies,
// odd content types) to a kubelite server, authenticated with the kubeconfig's admin certificate.
import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { parse } from "yaml";

export interface ApiReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): Record<string, unknown>;
}

export interface RequestOptions {
  body?: string | Buffer;
  contentType?: string;
  accept?: string;
  /** Send no client certificate (an anonymous request). */
  anonymous?: boolean;
  bearerToken?: string;
}

interface Kubeconfig {
  clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
  users: { user: { "client-certificate-data": string; "client-key-data": string } }[];
}

export async function apiClient(kubeconfigPath: string) {
  const config = parse(await readFile(kubeconfigPath, "utf8")) as Kubeconfig;
  const cluster = config.clusters[0]!.cluster;
  const user = config.users[0]!.user;
  const decode = (b64: string) => Buffer.from(b64, "base64");
  const base = new URL(cluster.server);
  return (method: string, path: string, options: RequestOptions = {}) =>
    new Promise<ApiReply>((done, fail) => {
      const headers: Record<string, string | number> = { Accept: options.accept ?? "application/json" };
      if (options.body !== undefined) {
        headers["Content-Type"] = options.contentType ?? "application/json";
        headers["Content-Length"] = Buffer.byteLength(options.body);
      }
      if (options.bearerToken) headers.Authorization = `Bearer ${options.bearerToken}`;
      const req = request(
        {
          host: base.hostname,
          port: base.port,
          method,
          path,
          headers,
          ca: decode(cluster["certificate-authority-data"]),
          ...(options.anonymous ? {} : { cert: decode(user["client-certificate-data"]), key: decode(user["client-key-data"]) }),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            done({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
          });
        },
      );
      req.on("error", fail);
      req.end(options.body);
    });
}
