// What one node's proxy must do for one Service, derived from the Service and its EndpointSlices
// as kube-proxy's ServicePort and endpoint maps are: per service port, the addresses it is
// reached on (cluster IPs, node port, external and load-balancer IPs) and the ready endpoints
// traffic goes to, with the traffic policies applied (internalTrafficPolicy for cluster IPs,
// externalTrafficPolicy for node ports and external addresses: Local keeps only this node's
// endpoints). Named target ports are already resolved in the slices: a slice's port carries the
// service port's name and the pod's number. Pure.
import type { KubeObject } from "../api/resource.js";
import { arrayAt, numberAt, recordAt, recordsAt, stringAt, stringsAt, type JsonRecord } from "../api/resources/object-fields.js";

export type Protocol = "tcp" | "udp" | "sctp";

export interface Backend {
  ip: string;
  port: number;
}

export interface ServicePortRule {
  /** namespace/name:port-name/protocol, for logs. */
  description: string;
  /** A name unique among this node's rules, usable as part of an nft chain name. */
  id: string;
  protocol: Protocol;
  port: number;
  clusterIPs: string[];
  /** External IPs and load-balancer ingress IPs (other than loopback, which the host forwarder serves). */
  externalIPs: string[];
  nodePort?: number;
  /** Endpoints for cluster IP traffic. */
  clusterBackends: Backend[];
  /** Endpoints for node port and external traffic. */
  externalBackends: Backend[];
  /** ClientIP session affinity: seconds a client sticks to its endpoint. */
  affinitySeconds?: number;
}

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

/** The rules for one Service and the EndpointSlices labelled with its name, as seen from `nodeName`. */
export function serviceRules(service: KubeObject, slices: readonly KubeObject[], nodeName: string): ServicePortRule[] {
  const spec = recordAt(service, "spec") ?? {};
  if (spec.type === "ExternalName") return [];
  const clusterIPs = stringsAt(spec, "clusterIPs").filter((ip) => ip !== "None" && !ip.includes(":"));
  if (clusterIPs.length === 0) return []; // headless: DNS answers with the endpoints themselves
  const namespace = service.metadata?.namespace ?? "";
  const name = service.metadata?.name ?? "";
  const ipv4Slices = slices.filter((slice) => slice.addressType === "IPv4");
  const externalIPs = [...stringsAt(spec, "externalIPs"), ...recordsAt(service, "status", "loadBalancer", "ingress").flatMap((i) => stringAt(i, "ip") ?? [])]
    .filter((ip) => !ip.startsWith("127.") && !ip.includes(":"));
  const affinity = spec.sessionAffinity === "ClientIP" ? (numberAt(spec, "sessionAffinityConfig", "clientIP", "timeoutSeconds") ?? 10800) : undefined;
  return recordsAt(spec, "ports").map((port) => {
    const protocol = (stringAt(port, "protocol") ?? "TCP").toLowerCase() as Protocol;
    const portName = stringAt(port, "name") ?? "";
    const endpoints = readyEndpoints(ipv4Slices, portName, protocol);
    const all = endpoints.map((e) => e.backend);
    const local = endpoints.filter((e) => e.nodeName === nodeName).map((e) => e.backend);
    const nodePort = spec.type === "NodePort" || spec.type === "LoadBalancer" ? (numberAt(port, "nodePort") ?? 0) : 0;
    return {
      description: `${namespace}/${name}:${portName || numberAt(port, "port")}/${protocol}`,
      id: `${namespace}_${name}_${portName || numberAt(port, "port")}_${protocol}`,
      protocol,
      port: numberAt(port, "port") ?? 0,
      clusterIPs,
      externalIPs,
      ...(nodePort > 0 ? { nodePort } : {}),
      clusterBackends: spec.internalTrafficPolicy === "Local" ? local : all,
      externalBackends: spec.externalTrafficPolicy === "Local" ? local : all,
      ...(affinity !== undefined ? { affinitySeconds: affinity } : {}),
    };
  });
}

/** The ready endpoints of the slices' port named `portName`, each address once, in a stable order. */
function readyEndpoints(slices: readonly KubeObject[], portName: string, protocol: Protocol): { backend: Backend; nodeName?: string }[] {
  const seen = new Map<string, { backend: Backend; nodeName?: string }>();
  for (const slice of slices) {
    const port = (arrayAt(slice, "ports") ?? []).find((p): p is JsonRecord => isPort(p, portName, protocol));
    const number = numberAt(port, "port");
    if (number === undefined) continue;
    for (const endpoint of recordsAt(slice, "endpoints")) {
      // kube-proxy: an endpoint without a ready condition counts as ready.
      if (recordAt(endpoint, "conditions")?.ready === false) continue;
      const ip = stringsAt(endpoint, "addresses")[0];
      if (!ip) continue;
      const key = `${ip}:${number}`;
      if (!seen.has(key)) seen.set(key, { backend: { ip, port: number }, nodeName: stringAt(endpoint, "nodeName") });
    }
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
}

function isPort(value: unknown, portName: string, protocol: Protocol): boolean {
  const port = value as JsonRecord;
  return (stringAt(port, "name") ?? "") === portName && (stringAt(port, "protocol") ?? "TCP").toLowerCase() === protocol;
}
