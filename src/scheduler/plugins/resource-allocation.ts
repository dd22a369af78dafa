// The resource-allocation scorers shared by NodeResourcesFit and NodeResourcesBalancedAllocation
// (upstream noderesources resource_allocation.go, least_allocated.go, most_allocated.go,
// balanced_allocation.go at v1.32): per configured resource, the node's allocatable and what would be
// requested with the pod on it — from non-zero requests (Fit) or exact requests (BalancedAllocation) —
// then a strategy turns those into a 0–100 score. Integer arithmetic truncates, as Go's int64.
import { MAX_NODE_SCORE } from "../framework.js";
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import { isScalarResourceName } from "../resources.js";

export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

export const DEFAULT_RESOURCES: readonly ResourceSpec[] = [{ name: "cpu", weight: 1 }, { name: "memory", weight: 1 }];

/** requested and allocatable are parallel to resources; a 0 allocatable means "not scored". */
export type ResourceScorer = (requested: readonly number[], allocatable: readonly number[], resources: readonly ResourceSpec[]) => number;

/** upstream leastResourceScorer: favours nodes with more room left. */
export const leastAllocated: ResourceScorer = (requested, allocatable, resources) => weightedAverage(requested, allocatable, resources, leastScore);

/** upstream mostResourceScorer: favours fuller nodes (bin packing). */
export const mostAllocated: ResourceScorer = (requested, allocatable, resources) => weightedAverage(requested, allocatable, resources, mostScore);

// Module-level so that scoring a node allocates nothing: they run for hundreds of nodes per pod.
const leastScore = (req: number, cap: number): number => (req > cap ? 0 : Math.trunc(((cap - req) * MAX_NODE_SCORE) / cap));
const mostScore = (req: number, cap: number): number => Math.trunc((Math.min(req, cap) * MAX_NODE_SCORE) / cap);

function weightedAverage(requested: readonly number[], allocatable: readonly number[], resources: readonly ResourceSpec[], scoreOf: (req: number, cap: number) => number): number {
  let nodeScore = 0;
  let weightSum = 0;
  for (let i = 0; i < resources.length; i++) {
    const cap = allocatable[i] as number;
    if (cap === 0) continue;
    const weight = (resources[i] as ResourceSpec).weight;
    nodeScore += scoreOf(requested[i] as number, cap) * weight;
    weightSum += weight;
  }
  return weightSum === 0 ? 0 : Math.trunc(nodeScore / weightSum);
}

/** upstream balancedResourceScorer: 100 × (1 − standard deviation of the requested fractions). */
export const balancedAllocation: ResourceScorer = (requested, allocatable) => {
  let n = 0;
  let sum = 0;
  let first = 0;
  let second = 0;
  for (let i = 0; i < requested.length; i++) {
    const cap = allocatable[i] as number;
    if (cap === 0) continue;
    const f = Math.min((requested[i] as number) / cap, 1);
    if (n === 0) first = f;
    else if (n === 1) second = f;
    sum += f;
    n++;
  }
  let std = 0;
  if (n === 2) std = Math.abs((first - second) / 2);
  else if (n > 2) {
    const mean = sum / n;
    let squares = 0;
    for (let i = 0; i < requested.length; i++) {
      const cap = allocatable[i] as number;
      if (cap === 0) continue;
      const f = Math.min((requested[i] as number) / cap, 1);
      squares += (f - mean) * (f - mean);
    }
    std = Math.sqrt(squares / n);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
};

const enum ResourceKind { Cpu, Memory, EphemeralStorage, Other }

const KIND_BY_NAME: ReadonlyMap<string, ResourceKind> = new Map([["cpu", ResourceKind.Cpu], ["memory", ResourceKind.Memory], ["ephemeral-storage", ResourceKind.EphemeralStorage]]);

/** Scores nodes for one pod's request list; reuses its scratch arrays (a cycle is single-threaded). */
export class ResourceAllocationScorer {
  private readonly scalar: boolean[];
  /** Each resource as a small number, so that scoring a node switches on it, not on its name. */
  private readonly kinds: ResourceKind[];
  private readonly requested: number[];
  private readonly allocatable: number[];

  constructor(readonly resources: readonly ResourceSpec[], private readonly useRequested: boolean, private readonly scorer: ResourceScorer) {
    this.scalar = resources.map((r) => isScalarResourceName(r.name));
    this.kinds = resources.map((r) => KIND_BY_NAME.get(r.name) ?? ResourceKind.Other);
    this.requested = resources.map(() => 0);
    this.allocatable = resources.map(() => 0);
  }

  /** upstream calculatePodResourceRequestList. */
  podRequests(pod: PodInfo): number[] {
    const { request, nonZeroMilliCPU, nonZeroMemory } = pod.resource;
    return this.resources.map(({ name }) => {
      switch (name) {
        case "cpu": return this.useRequested ? request.milliCPU : nonZeroMilliCPU;
        case "memory": return this.useRequested ? request.memory : nonZeroMemory;
        case "ephemeral-storage": return request.ephemeralStorage;
        default: return request.scalarValue(name);
      }
    });
  }

  score(ni: NodeInfo, podRequests: readonly number[]): number {
    for (let i = 0; i < this.resources.length; i++) this.fill(i, ni, podRequests[i] as number);
    return this.scorer(this.requested, this.allocatable, this.resources);
  }

  /** Every node's score into `scores` (parallel to nodes). */
  scoreAll(nodes: readonly NodeInfo[], podRequests: readonly number[], scores: number[]): void {
    for (let i = 0; i < nodes.length; i++) scores[i] = this.score(nodes[i] as NodeInfo, podRequests);
  }

  /** upstream calculateResourceAllocatableRequest. */
  private fill(i: number, ni: NodeInfo, podRequest: number): void {
    switch (this.kinds[i]) {
      case ResourceKind.Cpu: this.set(i, ni.allocatableMilliCPU, (this.useRequested ? ni.requestedMilliCPU : ni.nonZeroMilliCPU) + podRequest); return;
      case ResourceKind.Memory: this.set(i, ni.allocatableMemory, (this.useRequested ? ni.requestedMemory : ni.nonZeroMemory) + podRequest); return;
      case ResourceKind.EphemeralStorage: this.set(i, ni.allocatableEphemeralStorage, ni.requestedEphemeralStorage + podRequest); return;
    }
    const name = (this.resources[i] as ResourceSpec).name;
    // An extended resource the pod does not request is not scored.
    const scored = !(podRequest === 0 && this.scalar[i]) && ni.allocatableScalar?.has(name) === true;
    this.set(i, scored ? ni.allocatableScalarValue(name) : 0, scored ? ni.requestedScalarValue(name) + podRequest : 0);
  }

  private set(i: number, allocatable: number, requested: number): void {
    this.allocatable[i] = allocatable;
    this.requested[i] = requested;
  }
}
