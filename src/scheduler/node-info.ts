// NodeInfo: one node's aggregated view (upstream framework.NodeInfo): the Node, the pods on it (bound
// and assumed), their summed requests (exact and non-zero, for filtering and scoring), the host ports
// they hold and the node's allocatable resources. Updated incrementally on every pod add and remove,
// so Filter and Score plugins read O(1) aggregates instead of scanning pods. Allocatable and the sums
// are plain numbers on this object, as upstream's NodeInfo keeps them: Filter and Score read them for
// hundreds of nodes per pod, and one object per node is cheaper to reach than several.
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
  /** spec.unschedulable, read once per node set instead of through the Node for every pod. */
  private cordoned = false;
  readonly pods = new Map<string, PodInfo>();
  /** pods.size, kept beside the other numbers Filter reads. */
  podCount = 0;
  allocatableMilliCPU = 0;
  allocatableMemory = 0;
  allocatableEphemeralStorage = 0;
  allowedPodNumber = 0;
  /** Extended, hugepages and other scalar resources the node offers. */
  allocatableScalar: ReadonlyMap<string, number> | undefined;
  requestedMilliCPU = 0;
  requestedMemory = 0;
  requestedEphemeralStorage = 0;
  requestedScalar: Map<string, number> | undefined;
  /** cpu and memory with upstream's per-container defaults (NonZeroRequested). */
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  readonly usedPorts = new HostPortInfo();
  /** Pods on this node with required anti-affinity terms (upstream PodsWithRequiredAntiAffinity). */
  podsWithRequiredAntiAffinity = 0;

  constructor(readonly name: string) {}

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? NO_TAINTS;
    this.cordoned = node.spec?.unschedulable === true;
    const a = Resource.fromList(node.status?.allocatable);
    this.allocatableMilliCPU = a.milliCPU;
    this.allocatableMemory = a.memory;
    this.allocatableEphemeralStorage = a.ephemeralStorage;
    this.allowedPodNumber = a.allowedPodNumber;
    this.allocatableScalar = a.scalar;
  }

  allocatableScalarValue(name: string): number {
    return this.allocatableScalar?.get(name) ?? 0;
  }

  requestedScalarValue(name: string): number {
    return this.requestedScalar?.get(name) ?? 0;
  }

  /** The Node was deleted while pods are still counted here. */
  clearNode(): void {
    this.node = undefined;
    this.cordoned = false;
  }

  unschedulable(): boolean {
    return this.cordoned;
  }

  addPod(pi: PodInfo): void {
    this.pods.set(pi.key, pi);
    this.podCount = this.pods.size;
    this.update(pi, 1);
  }

  /** Removes the pod with pi's key; returns false when it was not here. */
  removePod(pi: PodInfo): boolean {
    const stored = this.pods.get(pi.key);
    if (!stored) return false;
    this.pods.delete(pi.key);
    this.podCount = this.pods.size;
    this.update(stored, -1);
    return true;
  }

  private update(pi: PodInfo, sign: 1 | -1): void {
    const request = pi.resource.request;
    this.requestedMilliCPU += sign * request.milliCPU;
    this.requestedMemory += sign * request.memory;
    this.requestedEphemeralStorage += sign * request.ephemeralStorage;
    if (request.scalar) {
      this.requestedScalar ??= new Map();
      for (const [name, v] of request.scalar) this.requestedScalar.set(name, this.requestedScalarValue(name) + sign * v);
    }
    this.nonZeroMilliCPU += sign * pi.resource.nonZeroMilliCPU;
    this.nonZeroMemory += sign * pi.resource.nonZeroMemory;
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
