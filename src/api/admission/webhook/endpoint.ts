// Where an admission webhook is reached (upstream's webhook client config): `url` as given, with
// the caBundle as its only trusted roots (the system's when absent); a service reference through
// the port the node agent forwards from 127.0.0.1 into the cluster for the service's NodePort or
// LoadBalancer, with TLS naming the service as upstream does ("<name>.<namespace>.svc"). The API
// server lives outside the node network namespaces, so a ClusterIP-only service cannot be reached:
// that is a clear error, never a packet towards a cluster address.
import type { ApiContext } from "../../handlers/api-context.js";
import type { KubeObject } from "../../resource.js";
import { numberAt, recordAt, recordsAt, stringAt, type JsonRecord } from "../../resources/object-fields.js";

export interface WebhookEndpoint {
  /** The URL named in messages and sent as the request path. */
  url: URL;
  /** Where to connect, when not url's own host and port. */
  connect?: { host: string; port: number };
  /** The TLS server name to verify. */
  serverName: string;
  ca?: string;
}

export class EndpointError extends Error {}

export function webhookEndpoint(api: ApiContext, clientConfig: JsonRecord | undefined): WebhookEndpoint {
  const caBundle = stringAt(clientConfig, "caBundle");
  const ca = caBundle ? Buffer.from(caBundle, "base64").toString("utf8") : undefined;
  const url = stringAt(clientConfig, "url");
  if (url !== undefined) {
    const parsed = new URL(url);
    return { url: parsed, serverName: parsed.hostname.replace(/^\[|\]$/g, ""), ca };
  }
  const service = recordAt(clientConfig, "service");
  const name = stringAt(service, "name") ?? "";
  const namespace = stringAt(service, "namespace") ?? "";
  const port = numberAt(service, "port") ?? 443;
  const path = stringAt(service, "path") ?? "/";
  const host = `${name}.${namespace}.svc`;
  const cached = api.cache.get("services").get(`/registry/services/${namespace}/${name}`);
  if (!cached) throw new EndpointError(`service "${name}" not found`);
  const nodePort = forwardedPort(JSON.parse(cached.json) as KubeObject, port);
  if (nodePort === undefined) {
    throw new EndpointError(`service ${namespace}/${name} has no NodePort for port ${port}: the API server reaches in-cluster webhooks only through NodePort or LoadBalancer services (or use clientConfig.url)`);
  }
  return { url: new URL(`https://${host}:${port}${path}`), connect: { host: "127.0.0.1", port: nodePort }, serverName: host, ca };
}

function forwardedPort(service: KubeObject, port: number): number | undefined {
  const type = stringAt(service, "spec", "type");
  if (type !== "NodePort" && type !== "LoadBalancer") return undefined;
  return numberAt(recordsAt(service, "spec", "ports").find((p) => numberAt(p, "port") === port), "nodePort");
}
