// NodeUnschedulable (upstream plugins/nodeunschedulable): a cordoned node (spec.unschedulable) only
// takes pods that tolerate the node.kubernetes.io/unschedulable:NoSchedule taint.
import { TAINT_NODE_UNSCHEDULABLE } from "../api-types.js";
import type { CycleState } from "../cycle-state.js";
import type { FilterPlugin, PluginFactory } from "../framework.js";
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import { type PluginStatus, Status } from "../status.js";
import { tolerationsTolerateTaint } from "../taints.js";

export const NODE_UNSCHEDULABLE = "NodeUnschedulable";
export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";

const UNSCHEDULABLE_TAINT = { key: TAINT_NODE_UNSCHEDULABLE, effect: "NoSchedule" };

export class NodeUnschedulable implements FilterPlugin {
  readonly name = NODE_UNSCHEDULABLE;
  private readonly rejected = Status.unresolvable(ERR_REASON_UNSCHEDULABLE).withPlugin(NODE_UNSCHEDULABLE);

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): PluginStatus {
    if (!nodeInfo.unschedulable()) return null;
    return tolerationsTolerateTaint(pod.pod.spec?.tolerations ?? [], UNSCHEDULABLE_TAINT) ? null : this.rejected;
  }
}

export const newNodeUnschedulable: PluginFactory = () => new NodeUnschedulable();
