// Joins the node namespaces of several nodes on one host (`kubelite server --agents N`), as a
// switch joins kind's node containers: a hub namespace holds a bridge, each node namespace gets a
// veth to it with an address on a private link subnet, and every node namespace routes each other
// node's pod CIDR via that node's link address. Pods on different nodes reach each other with
// their own addresses (no NAT). Nothing here touches the host's namespace: it gets no routes.
// Membership is recorded in the data dir, so join and leave are idempotent across restarts.
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../../log.js";
import type { Launcher } from "../launcher/launcher.js";
import { LocalLauncher } from "../launcher/local-launcher.js";
import { formatCidr, hostAddress, hostCount, parseCidr } from "./cidr.js";
import { hubLinkName, hubNetnsName } from "./names.js";
import { commandRunner } from "./command.js";
import { failedWith, Netns, netnsExists } from "./netns.js";

export const DEFAULT_LINK_CIDR = "10.41.0.0/24";
const HUB_BRIDGE = "hub0";
/** The node-side end of a node's link, inside its namespace. */
const NODE_LINK = "kl-hub";

/** What the cluster network needs of a node; IsolatedNetwork has these fields. */
export interface ClusterNode {
  nodeName: string;
  netnsName: string;
  podCIDR: string;
}

export interface ClusterMember extends ClusterNode {
  /** The node's address on the link subnet. */
  linkIP: string;
}

export interface ClusterNetworkOptions {
  /** The cluster's (server's) data dir: names the hub namespace and holds the membership file. */
  dataDir: string;
  log: Logger;
  /** The private subnet node namespaces talk over; must not overlap pod or service CIDRs. */
  linkCIDR?: string;
  /** Starts the ip tools (default: forks from this process). */
  launcher?: Launcher;
}

export class ClusterNetwork {
  readonly hubNetnsName: string;
  readonly linkCIDR: string;
  private readonly stateFile: string;
  private readonly log: Logger;
  private readonly netns: Netns;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: ClusterNetworkOptions) {
    this.hubNetnsName = hubNetnsName(options.dataDir);
    this.linkCIDR = formatCidr(parseCidr(options.linkCIDR ?? DEFAULT_LINK_CIDR));
    this.stateFile = path.join(path.resolve(options.dataDir), "network", "cluster.json");
    this.log = options.log.child({ component: "cluster-network", hub: this.hubNetnsName });
    this.netns = new Netns(commandRunner(options.launcher ?? new LocalLauncher()));
  }

  /** Links the node's namespace to the hub and routes pod CIDRs both ways; idempotent. */
  join(node: ClusterNode): Promise<ClusterMember> {
    return this.serial(async () => {
      if (!netnsExists(node.netnsName)) throw new Error(`node ${node.nodeName}: network namespace ${node.netnsName} does not exist`);
      await this.ensureHub();
      const members = await this.load();
      const member = { ...node, linkIP: this.linkAddressFor(node, members) };
      await this.link(member);
      const others = members.filter((m) => m.nodeName !== node.nodeName);
      for (const other of others) await this.routeBetween(member, other);
      await this.save([...others, member]);
      this.log.info("node joined the cluster network", { node: node.nodeName, linkIP: member.linkIP });
      return member;
    });
  }

  /** Unlinks a node and removes the routes to its pods; a node not joined is already done. */
  leave(nodeName: string): Promise<void> {
    return this.serial(async () => {
      const members = await this.load();
      const member = members.find((m) => m.nodeName === nodeName);
      if (!member) return;
      const others = members.filter((m) => m !== member);
      for (const other of others) await ignoreMissing(this.routeDel(other.netnsName, member.podCIDR));
      if (netnsExists(this.hubNetnsName)) await ignoreMissing(this.netns.ip(this.hubNetnsName, ["link", "del", hubLinkName(member.netnsName)]));
      await this.save(others);
    });
  }

  async members(): Promise<ClusterMember[]> {
    return this.load();
  }

  /** Removes the hub (and with it every node's link) and the membership file. */
  destroy(): Promise<void> {
    return this.serial(async () => {
      // Deleting the links now (namespace teardown is deferred by the kernel) takes every
      // node's routes to the other nodes with them.
      if (netnsExists(this.hubNetnsName)) {
        for (const member of await this.load()) await ignoreMissing(this.netns.ip(this.hubNetnsName, ["link", "del", hubLinkName(member.netnsName)]));
      }
      await this.netns.delete(this.hubNetnsName);
      await rm(this.stateFile, { force: true });
    });
  }

  private async ensureHub(): Promise<void> {
    await this.netns.add(this.hubNetnsName);
    await ignoreExisting(this.netns.ip(this.hubNetnsName, ["link", "add", HUB_BRIDGE, "type", "bridge"]));
    await this.netns.ip(this.hubNetnsName, ["link", "set", HUB_BRIDGE, "up"]);
  }

  /** Keeps a member's address; a new node takes the lowest free one. */
  private linkAddressFor(node: ClusterNode, members: ClusterMember[]): string {
    const known = members.find((m) => m.nodeName === node.nodeName);
    if (known) return known.linkIP;
    const cidr = parseCidr(this.linkCIDR);
    const used = new Set(members.map((m) => m.linkIP));
    for (let n = 1; n <= hostCount(cidr); n++) {
      const candidate = hostAddress(cidr, n);
      if (!used.has(candidate)) return candidate;
    }
    throw new Error(`link subnet ${this.linkCIDR} is full`);
  }

  private async link(member: ClusterMember): Promise<void> {
    const hubSide = hubLinkName(member.netnsName);
    const present = await this.netns.ip(member.netnsName, ["link", "show", NODE_LINK]).then(() => true, () => false);
    if (!present) {
      // A leftover hub end whose peer went with a deleted node namespace would block the name.
      await ignoreMissing(this.netns.ip(this.hubNetnsName, ["link", "del", hubSide]));
      await this.netns.ip(this.hubNetnsName, ["link", "add", hubSide, "type", "veth", "peer", "name", NODE_LINK, "netns", member.netnsName]);
    }
    await this.netns.ip(this.hubNetnsName, ["link", "set", hubSide, "master", HUB_BRIDGE, "up"]);
    await this.netns.ip(member.netnsName, ["addr", "replace", `${member.linkIP}/${parseCidr(this.linkCIDR).prefix}`, "dev", NODE_LINK]);
    await this.netns.ip(member.netnsName, ["link", "set", NODE_LINK, "up"]);
    await this.netns.setSysctl(member.netnsName, "net.ipv4.ip_forward", "1");
  }

  private async routeBetween(a: ClusterMember, b: ClusterMember): Promise<void> {
    await this.netns.ip(a.netnsName, ["route", "replace", b.podCIDR, "via", b.linkIP, "dev", NODE_LINK]);
    if (netnsExists(b.netnsName)) await this.netns.ip(b.netnsName, ["route", "replace", a.podCIDR, "via", a.linkIP, "dev", NODE_LINK]);
  }

  private async load(): Promise<ClusterMember[]> {
    try {
      return (JSON.parse(await readFile(this.stateFile, "utf8")) as { members: ClusterMember[] }).members;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  }

  private async save(members: ClusterMember[]): Promise<void> {
    await mkdir(path.dirname(this.stateFile), { recursive: true });
    const temporary = `${this.stateFile}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ linkCIDR: this.linkCIDR, members }, null, 2) + "\n");
    await rename(temporary, this.stateFile);
  }

  private routeDel(netnsName: string, cidr: string): Promise<unknown> {
    if (!netnsExists(netnsName)) return Promise.resolve();
    return this.netns.ip(netnsName, ["route", "del", cidr]);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.catch(() => {}).then(work);
    this.queue = next;
    return next;
  }
}

async function ignoreMissing(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (!failedWith(error, /cannot find|no such|not exist|ESRCH/i)) throw error;
  }
}

async function ignoreExisting(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (!failedWith(error, /exists/i)) throw error;
  }
}
