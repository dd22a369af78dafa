// Cluster DNS (CoreDNS's role) inside the kubelite server: answers the cluster zone from the
// shared Service, EndpointSlice and Pod informers, forwards other names to the host's resolvers,
// and serves the node relays on a unix socket in the data dir (pods reach it at the kube-dns
// cluster IP inside their node namespace, ADR 0013). Optionally also on UDP+TCP 127.0.0.1:port.
// `kubelite agent` on another host runs one of its own, on its own informers, for its pods.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Registry } from "prom-client";
import type { Client } from "../client/client.js";
import { CORE_V1 } from "../client/client.js";
import type { InformerFactory } from "../client/informer-factory.js";
import type { CacheReader, IndexFunc } from "../client/indexer.js";
import type { Informer } from "../client/informer.js";
import type { Logger } from "../log.js";
import { ClusterRecords, DNS_INDEXES } from "./cluster-records.js";
import { ClusterZone } from "./cluster-zone.js";
import { DnsHandler } from "./dns-handler.js";
import { DnsMetrics } from "./dns-metrics.js";
import { DnsServer } from "./dns-server.js";
import { Forwarder, type Upstream } from "./forwarder.js";
import { ensureKubeDnsService } from "./kube-dns-service.js";
import { HOST_RESOLV_CONF, parseResolvConf } from "./resolv-conf.js";

export const DEFAULT_CLUSTER_DNS = "10.43.0.10";
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";
const ENDPOINT_SLICES = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };

export interface ClusterDnsOptions {
  /** Creates the kube-dns Service (acting as the API server itself). */
  client: Client;
  informers: InformerFactory;
  dataDir: string;
  log: Logger;
  /** The kube-dns Service's cluster IP, which pods' resolv.conf names (default 10.43.0.10). */
  serviceIP?: string;
  domain?: string;
  /** Where other names go (default: the nameservers of the host's /etc/resolv.conf). */
  upstreams?: Upstream[];
  /** Also answer on 127.0.0.1 over UDP and TCP at this port (0: any free port). */
  localPort?: number;
  /** Where the coredns_* metrics go (default: a registry of their own). */
  metricsRegistry?: Registry;
  /** Pods by IP (the server's watch cache); by default a pods informer from `informers`. */
  pods?: Pick<CacheReader, "byIndex">;
  /** Create the kube-dns Service when missing (the server does; a joined agent only reads). */
  ensureService?: boolean;
}

export interface ClusterDns {
  /** The unix socket node relays connect to. */
  relaySocket: string;
  serviceIP: string;
  domain: string;
  /** The 127.0.0.1 port, when asked for. */
  localPort?: number;
  /** coredns_* metrics, for the server's /metrics. */
  metrics: DnsMetrics;
  close(): Promise<void>;
}

export async function startClusterDns(options: ClusterDnsOptions): Promise<ClusterDns> {
  const log = options.log.child({ component: "cluster-dns" });
  const serviceIP = options.serviceIP ?? DEFAULT_CLUSTER_DNS;
  const domain = options.domain ?? DEFAULT_CLUSTER_DOMAIN;
  const services = withIndexes(options.informers.informerFor(CORE_V1("services")), DNS_INDEXES.services);
  const slices = withIndexes(options.informers.informerFor(ENDPOINT_SLICES), DNS_INDEXES.slices);
  let podInformer: Informer | undefined;
  const pods = options.pods ?? (podInformer = withIndexes(options.informers.informerFor(CORE_V1("pods")), DNS_INDEXES.pods));
  const upstreams = options.upstreams ?? (await hostUpstreams(serviceIP));
  const zone = new ClusterZone(new ClusterRecords({ services, slices, pods }), domain);
  const metrics = new DnsMetrics(options.metricsRegistry);
  const server = new DnsServer(new DnsHandler(zone, new Forwarder({ upstreams }), log, metrics), log);
  await Promise.all([services.waitForSync(), slices.waitForSync(), podInformer?.waitForSync()]);
  if (options.ensureService !== false) await ensureKubeDnsService(options.client, serviceIP).catch((error: unknown) => log.warn("could not create the kube-dns Service", { error }));
  const relaySocket = relaySocketPath(options.dataDir);
  await server.listenRelay(relaySocket);
  let localPort: number | undefined;
  if (options.localPort !== undefined) {
    localPort = await server.listenUdp(options.localPort);
    await server.listenTcp(localPort);
  }
  log.debug("cluster DNS serving", { relaySocket, serviceIP, domain, upstreams, localPort });
  return { relaySocket, serviceIP, domain, localPort, metrics, close: () => server.close() };
}

function withIndexes(informer: Informer, indexes: Record<string, IndexFunc>): Informer {
  for (const [name, fn] of Object.entries(indexes)) informer.addIndexer(name, fn);
  return informer;
}

/** The host's nameservers, less the cluster's own address (that would be a loop). */
async function hostUpstreams(serviceIP: string): Promise<Upstream[]> {
  try {
    const conf = parseResolvConf(await readFile(HOST_RESOLV_CONF, "utf8"));
    return conf.nameservers.filter((ns) => ns !== serviceIP).map((host) => ({ host, port: 53 }));
  } catch {
    return [];
  }
}

function relaySocketPath(dataDir: string): string {
  const preferred = path.join(path.resolve(dataDir), "dns.sock");
  // sun_path holds 108 bytes; a deep data dir falls back to the temp dir, named after the data dir.
  const hash = createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 8);
  return Buffer.byteLength(preferred) < 100 ? preferred : path.join(tmpdir(), `kubelite-dns-${hash}.sock`);
}
