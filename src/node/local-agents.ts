// The node agents `kubelite server` runs in its own process: the local node (unless
// --disable-agent) and --agents N more, each with its own node name, data directory and, with
// isolated networking, its own node network namespace, all joined by one cluster network so pods
// on different nodes reach each other. Each agent talks to the API through an in-process Client
// as system:node:<name> and serves logs, exec and port-forward on 127.0.0.1 with a certificate
// from the cluster CA. The agents start processes through one launcher helper, so this large
// process never forks for them; it is closed once the agents have stopped.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import type { UserInfo } from "../auth/authenticate.js";
import type { PKI } from "../auth/pki.js";
import type { Client } from "../client/client.js";
import type { Logger } from "../log.js";
import type { NodeAgent } from "./agent.js";
import { buildNodeAgent } from "./build-agent.js";
import { ImageMap } from "./images/image-map.js";
import { HelperLauncher } from "./launcher/helper-launcher.js";
import type { Launcher } from "./launcher/launcher.js";
import { isolatedNetworkSupport } from "./network/choose-network.js";
import { ClusterNetwork } from "./network/cluster-network.js";
import { noLocalAgents, notLocal } from "./no-local-agents.js";

export interface LocalAgentsOptions {
  dataDir: string;
  nodeName: string;
  /** Run the local node's agent. */
  local: boolean;
  /** --agents: how many more agents. */
  extra: number;
  imageMap?: string;
  pki: PKI;
  clientFor(user: UserInfo, fieldManager: string): Client;
  log: Logger;
  leaseRenewIntervalMs?: number;
  /** Cluster DNS for the agents' pods. */
  dns?: { address: string; domain: string; serverSocket: string };
  /** --service-cidr. */
  serviceCIDR?: string;
}

export interface LocalAgents {
  agents: NodeAgent[];
  /**
   * Opens a TCP connection to a pod of one of these nodes through that node's pod network (its
   * dial helper with isolated networking), so host-side listeners such as the ingress reach pods
   * without any route from the host. Rejects for a node not run by this process.
   */
  dial(nodeName: string, ip: string, port: number): Promise<Duplex>;
  /** Stops the agents; their pods keep running. */
  stop(): Promise<void>;
  /** Stops the agents and removes their pods' processes and the nodes' networks (tests). */
  destroy(): Promise<void>;
}

/** Node names: the local node's, then `<name>-agent-1` ... for --agents. */
export function localNodeNames(nodeName: string, local: boolean, extra: number): string[] {
  return [...(local ? [nodeName] : []), ...Array.from({ length: extra }, (_, i) => `${nodeName}-agent-${i + 1}`)];
}

export async function startLocalAgents(options: LocalAgentsOptions): Promise<LocalAgents> {
  const names = localNodeNames(options.nodeName, options.local, options.extra);
  if (names.length === 0) return noLocalAgents();
  const images = options.imageMap ? await ImageMap.fromFile(options.imageMap) : new ImageMap();
  const launcher = new HelperLauncher({ log: options.log });
  try {
    const isolated = (await isolatedNetworkSupport({ launcher })).ok;
    if (!isolated && names.length > 1) options.log.warn("several agents share the host's network: pods on different nodes must not listen on the same ports");
    const cluster = isolated && names.length > 1 ? new ClusterNetwork({ dataDir: join(options.dataDir, "agents"), log: options.log, launcher }) : undefined;
    // One listener per host port: the first node (the server's own, unless --disable-agent) owns 127.0.0.1's service ports.
    const agents = await Promise.all(names.map((name, i) => startAgent(name, options, { images, cluster, launcher, isolated, hostListeners: i === 0 })));
    return {
      agents,
      dial(nodeName, ip, port) {
        const agent = agents.find((a) => a.nodeName === nodeName);
        return agent ? agent.podNetwork().dial(ip, port) : Promise.reject(notLocal(nodeName));
      },
      async stop() {
        await Promise.all(agents.map((agent) => agent.stop()));
        await launcher.close();
      },
      async destroy() {
        await Promise.all(agents.map((agent) => agent.destroy()));
        await cluster?.destroy();
        await launcher.close();
      },
    };
  } catch (error) {
    await launcher.close();
    throw error;
  }
}

/** What the agents of this process share. */
interface Shared {
  images: ImageMap;
  cluster: ClusterNetwork | undefined;
  launcher: Launcher;
  isolated: boolean;
  hostListeners: boolean;
}

async function startAgent(nodeName: string, options: LocalAgentsOptions, shared: Shared): Promise<NodeAgent> {
  const dataDir = join(options.dataDir, "agents", nodeName);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const user = { name: `system:node:${nodeName}`, groups: ["system:nodes", "system:authenticated"] };
  const agent = buildNodeAgent({
    nodeName,
    dataDir,
    client: options.clientFor(user, "kubelet"),
    images: shared.images,
    log: options.log.child({ node: nodeName }),
    isolated: shared.isolated,
    cluster: shared.cluster,
    launcher: shared.launcher,
    caPem: options.pki.caCertPem,
    servingCertificate: (names) => options.pki.issueServingCertificate({ dnsNames: [...names.dnsNames, "localhost"], ips: names.ips }),
    leaseRenewIntervalMs: options.leaseRenewIntervalMs,
    dns: options.dns,
    serviceCIDR: options.serviceCIDR,
    hostListeners: shared.hostListeners,
  });
  await agent.start();
  return agent;
}
