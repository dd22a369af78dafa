// Builds one node agent the way every kubelite node runs: the process runtime, the pod network
// chosen by choosePodNetwork (isolated when it can, joined to a cluster network when there is
// one), managed probes, and the streaming server for logs, exec and port-forward with a serving
// certificate the caller provides. `kubelite server`'s in-process agents and `kubelite agent` both
// come through here; they differ in their Client and in where the serving certificate comes from.
import { join } from "node:path";
import type { CertKeyPair } from "../auth/certificate-issuer.js";
import type { Client } from "../client/client.js";
import type { Logger } from "../log.js";
import { NodeAgent } from "./agent.js";
import { agentStreamsSource } from "./agent-streams.js";
import { ManagedProbes } from "./container-probes.js";
import type { ImageMap } from "./images/image-map.js";
import type { Launcher } from "./launcher/launcher.js";
import { choosePodNetwork } from "./network/choose-network.js";
import type { ClusterNetwork } from "./network/cluster-network.js";
import { BRIDGE, IsolatedNetwork } from "./network/isolated-network.js";
import { commandRunner } from "./network/command.js";
import { Netns } from "./network/netns.js";
import { LocalLauncher } from "./launcher/local-launcher.js";
import { NftServiceTable } from "../proxy/nft-service-table.js";
import { ServiceProxy } from "../proxy/service-proxy.js";
import { LoopbackRelay } from "../proxy/loopback-relay.js";
import { ProxyMetrics } from "../proxy/proxy-metrics.js";
import type { PodNetwork } from "./network/pod-network.js";
import { ProcessRuntime } from "./runtime/process/process-runtime.js";
import { NodeStreamServer } from "./server/node-server.js";
import { startNodePolicy } from "../netpol/node-policy.js";
import { NodeDnsRelay } from "../dns/node-relay.js";

export interface BuildAgentOptions {
  nodeName: string;
  /** The agent's own directory: runtime state, pods' volumes and logs. */
  dataDir: string;
  /** Acts as system:node:<nodeName>. */
  client: Client;
  images: ImageMap;
  log: Logger;
  /** Give pods their own network namespaces (root on Linux with the CNI plugins). */
  isolated: boolean;
  /** Joins the node's isolated network to the other nodes' on this host. */
  cluster?: ClusterNetwork;
  /** Where the streaming server listens and, with host networking, the node's address (default 127.0.0.1). */
  nodeIP?: string;
  /** The cluster CA: the streaming server serves only clients it signed (the API server). */
  caPem: string;
  /** The streaming server's certificate for these names. */
  servingCertificate(names: { dnsNames: string[]; ips: string[] }): Promise<CertKeyPair>;
  leaseRenewIntervalMs?: number;
  /** Export the process's own metrics on the agent's /metrics (an agent running alone). */
  processMetrics?: boolean;
  /**
   * Starts the network's tools, container shims and execs; the caller owns it and closes it after
   * the agent stops (default: forks from this process).
   */
  launcher?: Launcher;
  /** Cluster DNS for pods: a relay in the node namespace passes their queries to the server's socket. */
  dns?: { address: string; domain: string; serverSocket: string };
  /** The cluster's Service CIDR, routed to the service rules inside the node namespace (default 10.43.0.0/16). */
  serviceCIDR?: string;
  /** Open 127.0.0.1 ports for NodePort and LoadBalancer Services; one node per host does (default true). */
  hostListeners?: boolean;
}

export function buildNodeAgent(options: BuildAgentOptions): NodeAgent {
  const { nodeName, dataDir, log } = options;
  const nodeIP = options.nodeIP ?? "127.0.0.1";
  const launcher = options.launcher ?? new LocalLauncher();
  const dnsRelay = options.dns && new NodeDnsRelay({ address: options.dns.address, serverSocket: options.dns.serverSocket, stateDir: join(dataDir, "network"), launcher, log });
  return new NodeAgent({
    client: options.client,
    nodeName,
    dataDir,
    log,
    address: nodeIP,
    leaseRenewIntervalMs: options.leaseRenewIntervalMs,
    processMetrics: options.processMetrics,
    networkAddons: [(network, agent) => startNodePolicy(network, agent, { client: options.client, log, launcher: options.launcher })],
    dns: options.dns && { clusterDNS: options.dns.address, clusterDomain: options.dns.domain },
    network: {
      needsPodCIDR: options.isolated,
      create: async (podCIDR): Promise<PodNetwork> => {
        const network = await choosePodNetwork({ dataDir, nodeName, podCIDR: podCIDR ?? "", log, isolated: options.isolated, hostNodeIP: nodeIP, launcher: options.launcher, dnsRelay });
        if (options.cluster && network instanceof IsolatedNetwork) await options.cluster.join(network);
        return network;
      },
    },
    proxy: (network, agent) => {
      const isolated = network instanceof IsolatedNetwork ? network : undefined;
      return new ServiceProxy({
        client: options.client,
        nodeName,
        network,
        log,
        hostListeners: options.hostListeners ?? true,
        metrics: new ProxyMetrics(agent.metrics.registry),
        informers: agent.sharedInformers,
        table: isolated && new NftServiceTable({ netns: new Netns(commandRunner(launcher)), netnsName: isolated.netnsName, bridge: BRIDGE, serviceCIDR: (options.serviceCIDR ?? "10.43.0.0/16").split(",")[0]!, log }),
        relay: isolated && new LoopbackRelay({ netnsName: isolated.netnsName, listenIP: isolated.nodeIP, dataDir, launcher, log }),
      });
    },
    runtime: (network) => new ProcessRuntime({ stateDir: join(dataDir, "runtime"), network, images: options.images, log, launcher: options.launcher }),
    probes: (hooks) => new ManagedProbes(hooks),
    streams: async (self) => {
      const tls = await options.servingCertificate({ dnsNames: [nodeName], ips: [nodeIP] });
      const stats = { summary: () => self.stats.summary(), resourceMetrics: () => self.stats.resourceMetrics(), metrics: () => self.metrics.text() };
      const server = new NodeStreamServer({ source: agentStreamsSource(self), stats, tls: { keyPem: tls.keyPem, certPem: tls.certPem, caPem: options.caPem }, host: nodeIP, log });
      const port = await server.listen();
      const host = nodeIP.includes(":") ? `[${nodeIP}]` : nodeIP;
      return { port, endpoint: `https://${host}:${port}`, close: () => server.close() };
    },
  });
}
