// Cluster objects and a DnsHandler over them for the DNS unit tests: real Indexers with the indexes
// cluster DNS registers, and dns-packet to build queries and read answers.
import * as packet from "dns-packet";
import type { DecodedPacket, Packet, RecordType } from "dns-packet";
import type { KubeObject } from "../../src/api/resource.js";
import { Indexer, objectKey, type IndexFunc } from "../../src/client/indexer.js";
import { ClusterRecords, DNS_INDEXES } from "../../src/dns/cluster-records.js";
import { ClusterZone } from "../../src/dns/cluster-zone.js";
import { DnsHandler, type Transport } from "../../src/dns/dns-handler.js";
import type { DnsMetrics } from "../../src/dns/dns-metrics.js";
import { Forwarder, type Upstream } from "../../src/dns/forwarder.js";
import { createLogger } from "../../src/log.js";

export function cache(objects: KubeObject[], indexes: Record<string, IndexFunc>): Indexer {
  const indexer = new Indexer();
  for (const [name, fn] of Object.entries(indexes)) indexer.addIndex(name, fn);
  for (const obj of objects) indexer.upsert(objectKey(obj), obj);
  return indexer;
}

export function service(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: "v1", kind: "Service", metadata: { namespace, name }, spec };
}

export function slice(namespace: string, serviceName: string, endpoints: { ip: string; hostname?: string; ready?: boolean }[], ports: { name: string; port: number; protocol?: string }[] = []): KubeObject {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { namespace, name: `${serviceName}-abcde`, labels: { "kubernetes.io/service-name": serviceName } },
    addressType: "IPv4",
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready ?? true }, ...(e.hostname ? { hostname: e.hostname } : {}) })),
    ports: ports.map((p) => ({ protocol: "TCP", ...p })),
  };
}

export function pod(namespace: string, name: string, ip: string): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { namespace, name }, status: { podIP: ip, podIPs: [{ ip }] } };
}

export interface Cluster {
  services: KubeObject[];
  slices: KubeObject[];
  pods: KubeObject[];
}

export function handlerFor(cluster: Cluster, upstreams: Upstream[] = [], domain = "cluster.local", metrics?: DnsMetrics): { handler: DnsHandler; services: Indexer; slices: Indexer } {
  const services = cache(cluster.services, DNS_INDEXES.services);
  const slices = cache(cluster.slices, DNS_INDEXES.slices);
  const records = new ClusterRecords({ services, slices, pods: cache(cluster.pods, DNS_INDEXES.pods) });
  const handler = new DnsHandler(new ClusterZone(records, domain), new Forwarder({ upstreams, timeoutMs: 500 }), createLogger("error"), metrics);
  return { handler, services, slices };
}

let nextId = 1;

export function query(name: string, type: RecordType, extra: Partial<Packet> = {}): Buffer {
  return packet.encode({ type: "query", id: nextId++, flags: packet.RECURSION_DESIRED, questions: [{ type, name, class: "IN" }], ...extra });
}

export async function ask(handler: DnsHandler, name: string, type: RecordType, transport: Transport = "udp"): Promise<DecodedPacket & { rcode?: string }> {
  const reply = await handler.handle(query(name, type), transport);
  if (!reply) throw new Error("no reply");
  return packet.decode(reply) as DecodedPacket & { rcode?: string };
}

/** The answers' data as strings, A/AAAA/CNAME/PTR as they are, SRV as "port target". */
export function data(reply: DecodedPacket): string[] {
  return (reply.answers ?? []).map((a) => {
    if (a.type === "SRV") return `${a.data.port} ${a.data.target}`;
    return a.type === "OPT" ? "" : String(a.data);
  });
}
