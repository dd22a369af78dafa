// Isolated pod networking (DESIGN.md, Networking): each pod gets its own network namespace, a veth
// and an IP on a bridge that lives in the node's own network namespace, made by the standard CNI
// plugins (bridge + host-local, portmap for hostPorts, loopback). The node namespace has no
// default route, and the host's namespace gets no route to the pod CIDR, so no pod packet can
// leave the machine. The agent reaches pod IPs through a dial helper inside the node namespace.
// Guarantees: setUp and tearDown are idempotent and serialised per sandbox; attachments are
// recorded on disk, so a new instance on the same data dir knows the pods of the previous one;
// close() stops only the helper (pods keep running); destroy() removes everything.
import { readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Duplex } from "node:stream";
import type { Logger } from "../../log.js";
import type { Launcher } from "../launcher/launcher.js";
import { LocalLauncher } from "../launcher/local-launcher.js";
import type { PortMapping } from "../runtime/runtime.js";
import { AttachmentStore, type AttachmentRecord } from "./attachment-store.js";
import { hostAddress, parseCidr, formatCidr } from "./cidr.js";
import { Cni, type CniNetworkList, type CniRuntimeArgs } from "./cni.js";
import { NamespaceDialer } from "./dialer.js";
import { bridgeMac, cniContainerId, netnsPath, nodeNetnsName, podNetnsName } from "./names.js";
import { commandRunner } from "./command.js";
import { failedWith, Netns, netnsExists } from "./netns.js";
import type { PodNetwork, PodNetworkAttachment, PodNetworkRequest } from "./pod-network.js";

export const DEFAULT_CNI_BIN_DIR = "/usr/lib/cni";
const NETWORK_NAME = "kubelite";
/** The pod bridge in the node namespace. */
export const BRIDGE = "kl0";
const POD_IFNAME = "eth0";
const LOOPBACK: CniNetworkList = { cniVersion: "1.0.0", name: "loopback", plugins: [{ type: "loopback" }] };

export interface IsolatedNetworkOptions {
  dataDir: string;
  nodeName: string;
  /** The node's pod CIDR, such as 10.42.0.0/24; the bridge takes its first address. */
  podCIDR: string;
  log: Logger;
  /** Where the CNI plugins are (Debian: /usr/lib/cni). */
  cniBinDir?: string;
  /** Starts ip, nsenter and the CNI plugins (default: forks from this process). */
  launcher?: Launcher;
  /** Answers cluster DNS inside the node namespace once it exists (src/dns/node-relay.ts). */
  dnsRelay?: NodeNamespaceService;
}

/** Something that runs inside the node namespace: started with it, stopped when it is destroyed. */
export interface NodeNamespaceService {
  start(netnsName: string): Promise<void>;
  stop(): Promise<void>;
}

export class IsolatedNetwork implements PodNetwork {
  readonly mode = "isolated" as const;
  /** The bridge's address in the node namespace: the pods' gateway and the node's InternalIP. */
  readonly nodeIP: string;
  readonly nodeName: string;
  readonly podCIDR: string;
  /** The node's network namespace (its name under /var/run/netns). */
  readonly netnsName: string;
  readonly netnsPath: string;
  private readonly stateDir: string;
  private readonly store: AttachmentStore;
  private readonly cni: Cni;
  private readonly netns: Netns;
  private readonly dialer: NamespaceDialer;
  private readonly log: Logger;
  private readonly dnsRelay?: NodeNamespaceService;
  private readonly locks = new Map<string, Promise<unknown>>();
  private started?: Promise<void>;

  constructor(options: IsolatedNetworkOptions) {
    const cidr = parseCidr(options.podCIDR);
    this.podCIDR = formatCidr(cidr);
    this.nodeIP = hostAddress(cidr, 1);
    this.nodeName = options.nodeName;
    this.netnsName = nodeNetnsName(options.dataDir, options.nodeName);
    this.netnsPath = netnsPath(this.netnsName);
    this.log = options.log.child({ component: "pod-network", netns: this.netnsName });
    this.stateDir = path.join(path.resolve(options.dataDir), "network");
    this.store = new AttachmentStore(path.join(this.stateDir, "pods"));
    this.netns = new Netns(commandRunner(options.launcher ?? new LocalLauncher()));
    this.cni = new Cni({ binDir: options.cniBinDir ?? DEFAULT_CNI_BIN_DIR, runNetns: this.netnsName, netns: this.netns });
    this.dnsRelay = options.dnsRelay;
    this.dialer = new NamespaceDialer({ netnsName: this.netnsName, socketPath: this.socketPath(), log: this.log });
  }

  /** Creates the node namespace and its bridge if missing; later calls are free. */
  start(): Promise<void> {
    this.started ??= this.createNodeNamespace().catch((error: unknown) => {
      this.started = undefined;
      throw error;
    });
    return this.started;
  }

  setUp(request: PodNetworkRequest): Promise<PodNetworkAttachment> {
    return this.locked(request.sandboxId, async () => {
      await this.start();
      const existing = await this.store.get(request.sandboxId);
      if (existing?.result && netnsExists(existing.netnsName)) return toAttachment(existing);
      if (existing) await this.release(existing); // half-made, or its namespace vanished (reboot)
      return this.attach(request);
    });
  }

  tearDown(sandboxId: string): Promise<void> {
    return this.locked(sandboxId, async () => {
      const record = await this.store.get(sandboxId);
      if (record) return this.release(record);
      // No record but a namespace: made by a setUp whose record was lost. The plain network list
      // and the derived container id are what it used (unless it had hostPorts, whose rules go
      // with the node namespace), so DEL still frees its address.
      const netnsName = podNetnsName(this.netnsName, sandboxId);
      if (!netnsExists(netnsName)) return;
      const args = { containerId: cniContainerId(sandboxId), netns: netnsPath(netnsName), ifName: POD_IFNAME };
      await this.cni.del(this.networkList(false), args);
      await this.netns.delete(netnsName);
    });
  }

  async attachment(sandboxId: string): Promise<PodNetworkAttachment | undefined> {
    const record = await this.store.get(sandboxId);
    return record?.result && netnsExists(record.netnsName) ? toAttachment(record) : undefined;
  }

  /** Sandboxes with an attachment (complete or interrupted) on disk. */
  async sandboxes(): Promise<string[]> {
    return (await this.store.list()).map((record) => record.sandboxId);
  }

  async dial(ip: string, port: number): Promise<Duplex> {
    await this.start();
    return this.dialer.dial(ip, port);
  }

  /** Stops the dial helper; pods, namespaces and records stay. */
  async close(): Promise<void> {
    await this.dialer.close();
  }

  /** Removes the node namespace, every pod namespace of this node, and the network state. */
  async destroy(): Promise<void> {
    await this.close();
    await this.dnsRelay?.stop();
    const podNamespaces = new Set((await this.store.list()).map((record) => record.netnsName));
    for (const name of await listNetns()) if (name.startsWith(`${this.netnsName}-`)) podNamespaces.add(name);
    for (const name of podNamespaces) await this.netns.delete(name);
    await this.netns.delete(this.netnsName);
    await rm(this.stateDir, { recursive: true, force: true });
    this.started = undefined;
  }

  private async createNodeNamespace(): Promise<void> {
    await this.netns.add(this.netnsName);
    await this.netns.ip(this.netnsName, ["link", "set", "lo", "up"]);
    // Routing between pods and to other nodes' pod CIDRs happens in this namespace.
    await this.netns.setSysctl(this.netnsName, "net.ipv4.ip_forward", "1");
    // The bridge exists before the first pod so that nodeIP is always an address of the node;
    // the bridge plugin accepts it because it carries exactly the gateway address it would add.
    try {
      await this.netns.ip(this.netnsName, ["link", "add", BRIDGE, "type", "bridge"]);
    } catch (error) {
      if (!failedWith(error, /exists/i)) throw error;
    }
    const prefix = parseCidr(this.podCIDR).prefix;
    await this.netns.ip(this.netnsName, ["addr", "replace", `${this.nodeIP}/${prefix}`, "dev", BRIDGE]);
    await this.netns.ip(this.netnsName, ["link", "set", BRIDGE, "address", bridgeMac(this.netnsName), "up"]);
    // Pods resolve names without it failing their start: a relay that cannot start is a warning.
    await this.dnsRelay?.start(this.netnsName).catch((error: unknown) => this.log.warn("cluster DNS is not reachable from this node's pods", { error }));
  }

  private async attach(request: PodNetworkRequest): Promise<PodNetworkAttachment> {
    const netnsName = podNetnsName(this.netnsName, request.sandboxId);
    const hostPorts = toCniPortMappings(request.portMappings);
    const runtimeArgs: CniRuntimeArgs = {
      containerId: cniContainerId(request.sandboxId),
      netns: netnsPath(netnsName),
      ifName: POD_IFNAME,
      ...(hostPorts.length > 0 ? { capabilityArgs: { portMappings: hostPorts } } : {}),
    };
    const record: AttachmentRecord = {
      sandboxId: request.sandboxId,
      podNamespace: request.podNamespace,
      podName: request.podName,
      podUid: request.podUid,
      netnsName,
      ips: [],
      network: this.networkList(hostPorts.length > 0),
      runtimeArgs,
      createdAt: new Date().toISOString(),
    };
    // Recorded before anything is made, so a crash part-way leaves something to clean up.
    await this.store.put(record);
    try {
      await this.netns.add(netnsName);
      await this.cni.add(LOOPBACK, { ...runtimeArgs, ifName: "lo", capabilityArgs: {} });
      const result = await this.cni.add(record.network, runtimeArgs);
      const ips = (result.ips ?? []).map((ip) => ip.address.split("/")[0] ?? ip.address);
      if (ips.length === 0) throw new Error(`CNI gave sandbox ${request.sandboxId} no address`);
      const done = { ...record, ips, result };
      await this.store.put(done);
      this.log.debug("pod network set up", { sandboxId: request.sandboxId, ips });
      return toAttachment(done);
    } catch (error) {
      await this.release(record).catch((cleanup: unknown) => this.log.warn("cleanup after failed setUp", { sandboxId: request.sandboxId, error: cleanup }));
      throw error;
    }
  }

  /** CNI DEL (frees the IP and any hostPort rules), then the namespace, then the record. */
  private async release(record: AttachmentRecord): Promise<void> {
    await this.start();
    await this.cni.del(record.network, record.runtimeArgs, record.result);
    await this.netns.delete(record.netnsName);
    await this.store.delete(record.sandboxId);
    this.log.debug("pod network torn down", { sandboxId: record.sandboxId });
  }

  private networkList(withHostPorts: boolean): CniNetworkList {
    const bridge = {
      type: "bridge",
      bridge: BRIDGE,
      isGateway: true,
      isDefaultGateway: true, // the pod's default route points at the bridge, inside the node namespace
      ipMasq: false, // nothing is masqueraded out: there is no way out
      hairpinMode: true,
      ipam: {
        type: "host-local",
        ranges: [[{ subnet: this.podCIDR, gateway: this.nodeIP }]],
        dataDir: path.join(this.stateDir, "ipam"),
      },
    };
    const portmap = { type: "portmap", capabilities: { portMappings: true } };
    return { cniVersion: "1.0.0", name: NETWORK_NAME, plugins: withHostPorts ? [bridge, portmap] : [bridge] };
  }

  private socketPath(): string {
    const preferred = path.join(this.stateDir, "dial.sock");
    // sun_path holds 108 bytes; a deep data dir falls back to the temp dir, still node-specific.
    return Buffer.byteLength(preferred) < 100 ? preferred : path.join(tmpdir(), `kubelite-${this.netnsName}.sock`);
  }

  private locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    this.locks.set(key, next);
    const forget = () => {
      if (this.locks.get(key) === next) this.locks.delete(key);
    };
    next.then(forget, forget);
    return next;
  }
}

function toAttachment(record: AttachmentRecord): PodNetworkAttachment {
  return { ips: [...record.ips], netnsPath: netnsPath(record.netnsName) };
}

function toCniPortMappings(mappings: PortMapping[]): { hostPort: number; containerPort: number; protocol: string }[] {
  return mappings
    .filter((m): m is PortMapping & { hostPort: number } => m.hostPort !== undefined && m.hostPort > 0)
    .map((m) => ({ hostPort: m.hostPort, containerPort: m.containerPort, protocol: m.protocol.toLowerCase() }));
}

async function listNetns(): Promise<string[]> {
  try {
    return await readdir(path.dirname(netnsPath("x")));
  } catch {
    return [];
  }
}
