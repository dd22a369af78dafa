// The node namespace side of the service proxy: prepares the namespace once (bridged pod traffic
// passes netfilter, so a reply between two pods on the kl0 bridge is un-DNATed; a route for the
// service CIDR, so traffic from the namespace itself finds its way to the output hook) and loads
// rendered tables with `nft -f -` through nsenter, run by the node's launcher helper (ADR 0011),
// never forked from the server. Only the table `ip kubelite-services` is ever touched.
import type { Logger } from "../log.js";
import { failedWith, type Netns } from "../node/network/netns.js";
import { TABLE } from "./nft-ruleset.js";

export interface NftServiceTableOptions {
  netns: Netns;
  /** The node namespace's name under /var/run/netns. */
  netnsName: string;
  /** The pod bridge the service CIDR is routed to. */
  bridge: string;
  serviceCIDR: string;
  log: Logger;
}

export class NftServiceTable {
  private prepared?: Promise<void>;

  constructor(private readonly options: NftServiceTableOptions) {}

  /** Replaces the table with `ruleset` (a whole-table script from renderTable), atomically. */
  async load(ruleset: string): Promise<void> {
    await this.prepare();
    await this.options.netns.runIn(this.options.netnsName, "nft", ["-f", "-"], { input: ruleset });
  }

  /** Removes the table (the node's services are gone with it). */
  async remove(): Promise<void> {
    try {
      await this.options.netns.runIn(this.options.netnsName, "nft", ["delete", "table", "ip", TABLE]);
    } catch (error) {
      if (!failedWith(error, /No such file|does not exist/i)) throw error;
    }
  }

  private prepare(): Promise<void> {
    this.prepared ??= this.prepareNamespace().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    return this.prepared;
  }

  private async prepareNamespace(): Promise<void> {
    const { netns, netnsName, bridge, serviceCIDR, log } = this.options;
    try {
      await netns.setSysctl(netnsName, "net.bridge.bridge-nf-call-iptables", "1");
    } catch (error) {
      log.warn("bridged pod traffic does not pass netfilter (no br_netfilter): a pod reaching a service endpoint on its own node may get no reply", { error });
    }
    await netns.ip(netnsName, ["route", "replace", serviceCIDR, "dev", bridge]);
  }
}
