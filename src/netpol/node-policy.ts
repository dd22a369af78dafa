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
  const enforcing = network instanceof IsolatedNetwork;
  await options.client.patch(CORE_V1("nodes"), undefined, agent.nodeName, "merge", { metadata: { labels: { [ENFORCEMENT_LABEL]: enforcing ? ENFORCED : NOT_ENFORCED } } });
  if (network instanceof IsolatedNetwork) {
    const netns = new Netns(commandRunner(options.launcher ?? new LocalLauncher()));
    const enforcer = new PolicyEnforcer({ ...common, table: new NftPolicyTable(netns, network.netnsName), registry: agent.metrics.registry });
    await enforcer.start();
    return enforcer;
  }
  const reporter = new NotEnforcedReporter({ ...common, reason: HOST_NETWORK_REASON });
  await reporter.start();
  return reporter;
}
