// The policy table in one node network namespace, driven with the nft tool through the node's
// launcher (ADR 0011: the server process never forks): replace the whole table atomically, read
// its drop counters, and make bridged pod-to-pod frames pass the inet hooks (br_netfilter's
// bridge-nf-call-iptables, which is per network namespace on current kernels).
import type { Netns } from "../node/network/netns.js";
import { POLICY_TABLE } from "./nft-compiler.js";

export interface PolicyTable {
  /** Enables bridge netfilter in the namespace and checks nft works there; idempotent. */
  prepare(): Promise<void>;
  /** Applies a compiled script (which replaces the table in one transaction). */
  apply(script: string): Promise<void>;
  /** Packet counts of the table's named counters; empty when the table does not exist yet. */
  counters(): Promise<Map<string, number>>;
}

export class NftPolicyTable implements PolicyTable {
  constructor(
    private readonly netns: Netns,
    private readonly netnsName: string,
  ) {}

  async prepare(): Promise<void> {
    await this.netns.setSysctl(this.netnsName, "net.bridge.bridge-nf-call-iptables", "1");
    await this.netns.runIn(this.netnsName, "nft", ["list", "tables"]); // nft is there and works here
  }

  async apply(script: string): Promise<void> {
    await this.netns.runIn(this.netnsName, "nft", ["-f", "-"], { input: script });
  }

  async counters(): Promise<Map<string, number>> {
    let stdout: string;
    try {
      ({ stdout } = await this.netns.runIn(this.netnsName, "nft", ["-j", "list", "counters", "table", "inet", POLICY_TABLE]));
    } catch {
      return new Map(); // no table yet
    }
    const parsed = JSON.parse(stdout) as { nftables?: { counter?: { name: string; packets: number } }[] };
    return new Map((parsed.nftables ?? []).flatMap((item) => (item.counter ? [[item.counter.name, item.counter.packets] as const] : [])));
  }
}
