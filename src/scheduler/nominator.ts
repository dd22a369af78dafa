// Pods nominated to a node by preemption while their victims terminate (upstream PodNominator). Filter
// runs count nominated pods of equal or higher priority as already on the node, so the room preemption
// made is not handed to someone else. The scheduling queue owns the nominations; this only records them.
import type { PodNominator } from "./framework.js";
import type { PodInfo } from "./pod-info.js";

const NONE: readonly PodInfo[] = [];

export class Nominator implements PodNominator {
  private readonly byNode = new Map<string, Map<string, PodInfo>>();
  private readonly nodeOf = new Map<string, string>();

  addNominatedPod(pi: PodInfo, nodeName: string): void {
    this.deleteNominatedPod(pi.key);
    if (nodeName === "") return;
    let pods = this.byNode.get(nodeName);
    if (!pods) this.byNode.set(nodeName, (pods = new Map()));
    pods.set(pi.key, pi);
    this.nodeOf.set(pi.key, nodeName);
  }

  deleteNominatedPod(key: string): void {
    const nodeName = this.nodeOf.get(key);
    if (nodeName === undefined) return;
    this.nodeOf.delete(key);
    const pods = this.byNode.get(nodeName);
    pods?.delete(key);
    if (pods?.size === 0) this.byNode.delete(nodeName);
  }

  nominatedPodsForNode(nodeName: string): readonly PodInfo[] {
    // Asked for every node filtered; nominations are rare, so skip the lookup when there are none.
    if (this.byNode.size === 0) return NONE;
    const pods = this.byNode.get(nodeName);
    return pods ? [...pods.values()] : NONE;
  }
}
