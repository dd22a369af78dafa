// Where an admission webhook is reached (upstream's webhook client config): `url` as given, with
// the caBundle as its only trusted roots (the system's when absent); a service reference through
// one of the service's ready endpoints (its EndpointSlices), dialled through the node network the
// pod lives in (the node agent's dialer: the API server is outside the node network namespaces
// and the host has no route to pod addresses), with TLS naming the service as upstream does
// ("<name>.<namespace>.svc"). A service without ready endpoints, or no agent to dial through, is
// a clear error, never a packet towards a cluster address.
import type { Duplex } from "node:stream";
import type { ApiContext } from "../../handlers/api-context.js";
import type { KubeObject } from "../../resource.js";
import { numberAt, recordAt, recordsAt, stringAt, type JsonRecord } from "../../resources/object-fields.js";

/** Opens a connection to a pod address through the network of the node it runs on. */
export type PodDialer = (nodeName: string, ip: string, port: number) => Promise<Duplex>;

export interface WebhookEndpoint {
  /** The URL named in messages and sent as the request path. */
  url: URL;
  /** A pod endpoint to dial through its node, for a service reference. */
  pod?: { nodeName: string; ip: string; port: number };
  /** The TLS server name to verify. */
  serverName: string;
  ca?: string;
}

export class EndpointError extends Error {}

const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

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
  const host = `${name}.${namespace}.svc`;
  const pod = serviceEndpoint(api, namespace, name, port);
  return { url: new URL(`https://${host}:${port}${stringAt(service, "path") ?? "/"}`), pod, serverName: host, ca };
}

/** A ready endpoint of the service's port, from its EndpointSlices (the first, as they are ordered in the cache). */
function serviceEndpoint(api: ApiContext, namespace: string, name: string, port: number): { nodeName: string; ip: string; port: number } {
  const cached = api.cache.get("services").get(`/registry/services/${namespace}/${name}`);
  if (!cached) throw new EndpointError(`service "${name}" not found`);
  const servicePort = recordsAt(JSON.parse(cached.json) as KubeObject, "spec", "ports").find((p) => numberAt(p, "port") === port);
  if (!servicePort) throw new EndpointError(`service ${namespace}/${name} has no port ${port}`);
  const portName = stringAt(servicePort, "name") ?? "";
  const slices = api.cache.get("endpointslices").list(namespace, (o) => o.labels[SERVICE_NAME_LABEL] === name);
  for (const slice of slices.map((o) => JSON.parse(o.json) as KubeObject)) {
    const target = numberAt(recordsAt(slice, "ports").find((p) => (stringAt(p, "name") ?? "") === portName), "port");
    if (target === undefined) continue;
    for (const endpoint of recordsAt(slice, "endpoints")) {
      const ip = (endpoint.addresses as string[] | undefined)?.[0];
      const nodeName = stringAt(endpoint, "nodeName");
      if (ip && nodeName && recordAt(endpoint, "conditions")?.ready !== false) return { nodeName, ip, port: target };
    }
  }
  throw new EndpointError(`service ${namespace}/${name} has no ready endpoint for port ${port}`);
}
