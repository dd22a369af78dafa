// NodePorts (upstream plugins/nodeports): a pod's host ports must be free on the node, where 0.0.0.0
// conflicts with every address. Pods without host ports skip it. Unschedulable (not unresolvable):
// evicting the pod that holds the port would help.
import type { CycleState } from "../cycle-state.js";
import type { FilterPlugin, PluginFactory, PreFilterOutcome, PreFilterPlugin } from "../framework.js";
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import { type PluginStatus, Status } from "../status.js";

export const NODE_PORTS = "NodePorts";
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = NODE_PORTS;
  private readonly rejected = Status.unschedulable(ERR_REASON_NODE_PORTS).withPlugin(NODE_PORTS);

  preFilter(_state: CycleState, pod: PodInfo): PreFilterOutcome {
    return pod.hostPorts.length === 0 ? Status.skip() : null;
  }

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): PluginStatus {
    if (nodeInfo.usedPorts.size === 0) return null;
    for (const p of pod.hostPorts) if (nodeInfo.usedPorts.checkConflict(p)) return this.rejected;
    return null;
  }
}

export const newNodePorts: PluginFactory = () => new NodePorts();
