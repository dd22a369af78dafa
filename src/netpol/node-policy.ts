// What a node does about NetworkPolicy, by its pod network: enforce it with nftables in the node
// namespace (isolated networking), or say on every policy that it does not (host networking).
import { CORE_V1, type Client } from "../client/client.js";
import type { Logger } from "../log.js";
import type { NodeAgent } from "../node/agent.js";
import type { Launcher } from "../node/launcher/launcher.js";
import { LocalLauncher } from "../node/launcher/local-launcher.js";
import { commandRunner } from "../node/network/command.js";
import { IsolatedNetwork } from "../node/network/isolated-network.js";
import { Netns } from "../node/network/netns.js";
import type { PodNetwork } from "../node/network/pod-network.js";
import { ENFORCED, ENFORCEMENT_LABEL, NOT_ENFORCED } from "./enforcement-label.js";
import { NftPolicyTable } from "./nft-table.js";
import { NotEnforcedReporter } from "./not-enforced.js";
import { PolicyEnforcer } from "./policy-enforcer.js";

const HOST_NETWORK_REASON = "its pods share the host's network (no network namespace of their own); run the node as root on Linux with the CNI plugins and nftables for isolated pod networking";

export interface NodePolicyOptions {
  client: Client;
  log: Logger;
  launcher?: Launcher;
}

/** Starts enforcement (or the not-enforced warnings) for the agent's network; returns its stop. */
export async function startNodePolicy(network: PodNetwork, agent: NodeAgent, options: NodePolicyOptions): Promise<{ stop(): Promise<void> }> {
  const common = { client: options.client, nodeName: agent.nodeName, recorder: agent.recorder, log: options.log };
  const table = network instanceof IsolatedNetwork ? await preparedTable(network, options) : { reason: HOST_NETWORK_REASON };
  const label = { metadata: { labels: { [ENFORCEMENT_LABEL]: "reason" in table ? NOT_ENFORCED : ENFORCED } } };
  await options.client.patch(CORE_V1("nodes"), undefined, agent.nodeName, "merge", label).catch((error: unknown) => options.log.warn("could not label the node with its network policy enforcement", { error }));
  if ("reason" in table) {
    options.log.warn(`network policies are not enforced on this node: ${table.reason}`);
    const reporter = new NotEnforcedReporter({ ...common, reason: table.reason });
    reporter.start();
    return reporter;
  }
  const enforcer = new PolicyEnforcer({ ...common, table, registry: agent.metrics.registry });
  enforcer.start();
  return enforcer;
}

/** The node namespace's policy table with bridge netfilter on, or why it cannot be had. */
async function preparedTable(network: IsolatedNetwork, options: NodePolicyOptions): Promise<NftPolicyTable | { reason: string }> {
  const run = commandRunner(options.launcher ?? new LocalLauncher());
  const table = new NftPolicyTable(new Netns(run), network.netnsName);
  try {
    // Bridged pod-to-pod frames reach the IP hooks only through br_netfilter.
    await run("modprobe", ["br_netfilter"]).catch(() => undefined);
    await table.prepare();
    return table;
  } catch (error) {
    return { reason: `bridge netfilter or nft is unavailable in the node namespace (${error instanceof Error ? error.message : String(error)}); install nftables and load br_netfilter` };
  }
}
