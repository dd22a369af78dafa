// NodeName (upstream plugins/nodename): a pod that names its node fits only that node.
import type { CycleState } from "../cycle-state.js";
import type { FilterPlugin, PluginFactory } from "../framework.js";
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import { type PluginStatus, Status } from "../status.js";

export const NODE_NAME = "NodeName";
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export class NodeName implements FilterPlugin {
  readonly name = NODE_NAME;
  private readonly rejected = Status.unresolvable(ERR_REASON_NODE_NAME).withPlugin(NODE_NAME);

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): PluginStatus {
    const wanted = pod.pod.spec?.nodeName;
    return !wanted || wanted === nodeInfo.name ? null : this.rejected;
  }
}

export const newNodeName: PluginFactory = () => new NodeName();
