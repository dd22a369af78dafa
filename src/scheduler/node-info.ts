// NodeInfo: one node's aggregated view (upstream framework.NodeInfo): the Node, the pods on it (bound
// and assumed), their summed requests (exact and non-zero, for filtering and scoring), the host ports
// they hold and the node's allocatable resources. Updated incrementally on every pod add and remove,
// so Filter and Score plugins read O(1) aggregates instead of scanning pods.
import type { Labels } from "../api/label-selector.js";
import type { Node, Taint } from "./api-types.js";
import { HostPortInfo } from "./host-ports.js";
import type { PodInfo } from "./pod-info.js";
import { Resource } from "./resources.js";

const NO_TAINTS: readonly Taint[] = [];

export class NodeInfo {
  node: Node | undefined;
  labels: Labels = {};
  taints: readonly Taint[] = NO_TAINTS;
  allocatable = new Resource();
  readonly pods = new Map<string, PodInfo>();
  readonly requested = new Resource();
  /** cpu and memory with upstream's per-container defaults (NonZeroRequested). */
  readonly nonZeroRequested = new Resource();
  readonly usedPorts = new HostPortInfo();
  /** Pods on this node with required anti-affinity terms (upstream PodsWithRequiredAntiAffinity). */
  podsWithRequiredAntiAffinity = 0;

  constructor(readonly name: string) {}

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? NO_TAINTS;
    this.allocatable = Resource.fromList(node.status?.allocatable);
  }

  unschedulable(): boolean {
    return this.node?.spec?.unschedulable === true;
  }

  addPod(pi: PodInfo): void {
    this.pods.set(pi.key, pi);
    this.update(pi, 1);
  }

  /** Removes the pod with pi's key; returns false when it was not here. */
  removePod(pi: PodInfo): boolean {
    const stored = this.pods.get(pi.key);
    if (!stored) return false;
    this.pods.delete(pi.key);
    this.update(stored, -1);
    return true;
  }

  private update(pi: PodInfo, sign: 1 | -1): void {
    this.requested.add(pi.resource.request, sign);
    this.nonZeroRequested.milliCPU += sign * pi.resource.nonZeroMilliCPU;
    this.nonZeroRequested.memory += sign * pi.resource.nonZeroMemory;
    for (const p of pi.hostPorts) {
      if (sign > 0) this.usedPorts.add(p);
      else this.usedPorts.remove(p);
    }
    if (pi.requiredAntiAffinityTerms.length > 0) this.podsWithRequiredAntiAffinity += sign;
  }

  /** A copy whose pods and sums can change without touching this one (preemption's dry runs). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    if (this.node) c.setNode(this.node);
    for (const pi of this.pods.values()) c.addPod(pi);
    return c;
  }
}
