// NodeResourcesFit (upstream plugins/noderesources/fit.go, v1.32). Filter: the node's allocatable
// must cover what its pods request plus the pod's effective request, per resource, and one more pod
// must fit under allocatable pods ("Too many pods"); the status is UnschedulableAndUnresolvable when
// the pod alone exceeds the node, since preemption cannot help then. Score: the configured strategy,
// LeastAllocated by default (cpu and memory, weight 1 each) or MostAllocated, on non-zero requests.
// The pod's effective request is computed once per pod (PodInfo), so Filter needs no PreFilter state.
import { type CycleState, readState, type StateData } from "../cycle-state.js";
import type { FilterPlugin, PluginArgs, PluginFactory, PreScorePlugin, ScorePlugin } from "../framework.js";
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import type { Resource } from "../resources.js";
import { isExtendedResource } from "../../api/resources/resource-lists.js";
import { type PluginStatus, Status } from "../status.js";
import { resourcesArg, stringListArg } from "./plugin-args.js";
import { DEFAULT_RESOURCES, leastAllocated, mostAllocated, ResourceAllocationScorer } from "./resource-allocation.js";

export const NODE_RESOURCES_FIT = "NodeResourcesFit";
const PRE_SCORE_KEY = `PreScore${NODE_RESOURCES_FIT}`;

export interface InsufficientResource {
  readonly resourceName: string;
  readonly reason: string;
  readonly requested: number;
  readonly used: number;
  readonly capacity: number;
  /** The pod alone asks for more than the node has: preemption would not help. */
  readonly unresolvable: boolean;
}

const FITS: readonly InsufficientResource[] = [];

/** upstream fitsRequest: every resource the node lacks for the request (a shared empty list when it fits). */
export function fitsRequest(request: Resource, ni: NodeInfo, isIgnored: (name: string) => boolean = () => false): readonly InsufficientResource[] {
  let out: InsufficientResource[] | undefined;
  if (ni.podCount + 1 > ni.allowedPodNumber) {
    out = [{ resourceName: "pods", reason: "Too many pods", requested: 1, used: ni.podCount, capacity: ni.allowedPodNumber, unresolvable: false }];
  }
  if (request.isZero()) return out ?? FITS;
  out = short(out, "cpu", "Insufficient cpu", request.milliCPU, ni.allocatableMilliCPU, ni.requestedMilliCPU);
  out = short(out, "memory", "Insufficient memory", request.memory, ni.allocatableMemory, ni.requestedMemory);
  out = short(out, "ephemeral-storage", "Insufficient ephemeral-storage", request.ephemeralStorage, ni.allocatableEphemeralStorage, ni.requestedEphemeralStorage);
  if (request.scalar) {
    for (const [name, want] of request.scalar) {
      if (want !== 0 && !isIgnored(name)) out = short(out, name, `Insufficient ${name}`, want, ni.allocatableScalarValue(name), ni.requestedScalarValue(name));
    }
  }
  return out ?? FITS;
}

/** Appends the shortfall when want exceeds what is left of capacity. */
function short(out: InsufficientResource[] | undefined, resourceName: string, reason: string, want: number, capacity: number, used: number): InsufficientResource[] | undefined {
  if (want <= 0 || want <= capacity - used) return out;
  const r = { resourceName, reason, requested: want, used, capacity, unresolvable: want > capacity };
  if (!out) return [r];
  out.push(r);
  return out;
}

class PreScoreState implements StateData {
  constructor(readonly podRequests: readonly number[]) {}
  clone(): StateData { return this; }
}

export class NodeResourcesFit implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NODE_RESOURCES_FIT;
  private readonly statuses = new Map<string, Status>();
  /** isIgnored bound once: Filter runs for hundreds of nodes per pod. */
  private readonly ignored = (name: string): boolean => this.isIgnored(name);

  constructor(
    private readonly scorer: ResourceAllocationScorer,
    private readonly ignoredResources: ReadonlySet<string>,
    private readonly ignoredResourceGroups: ReadonlySet<string>,
  ) {}

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): PluginStatus {
    const insufficient = fitsRequest(pod.resource.request, nodeInfo, this.ignored);
    if (insufficient.length === 0) return null;
    const code = insufficient.some((r) => r.unresolvable) ? "UnschedulableAndUnresolvable" : "Unschedulable";
    return this.status(code, insufficient.map((r) => r.reason));
  }

  preScore(state: CycleState, pod: PodInfo): PluginStatus {
    state.write(PRE_SCORE_KEY, new PreScoreState(this.scorer.podRequests(pod)));
    return null;
  }

  score(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): number {
    return this.scorer.score(nodeInfo, readState(state, PRE_SCORE_KEY, PreScoreState).podRequests);
  }

  scoreNodes(state: CycleState, _pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void {
    this.scorer.scoreAll(nodes, readState(state, PRE_SCORE_KEY, PreScoreState).podRequests, scores);
  }

  /** Only extended resources can be ignored (upstream ignoredResources and ignoredResourceGroups). */
  private isIgnored(name: string): boolean {
    if (this.ignoredResources.size === 0 && this.ignoredResourceGroups.size === 0) return false;
    if (!isExtendedResource(name)) return false;
    return this.ignoredResources.has(name) || this.ignoredResourceGroups.has(name.split("/")[0] ?? "");
  }

  /** Failing nodes mostly share a few reason lists: reuse their statuses. */
  private status(code: "Unschedulable" | "UnschedulableAndUnresolvable", reasons: string[]): Status {
    const key = `${code}\u0000${reasons.join("\u0000")}`;
    let s = this.statuses.get(key);
    if (!s) this.statuses.set(key, (s = Status.of(code, ...reasons).withPlugin(NODE_RESOURCES_FIT)));
    return s;
  }
}

/** args: { scoringStrategy?: { type?: "LeastAllocated" | "MostAllocated", resources?: [{name, weight}] }, ignoredResources?, ignoredResourceGroups? } */
export const newNodeResourcesFit: PluginFactory = (_handle, args: PluginArgs | undefined) => {
  const strategy = (args?.["scoringStrategy"] ?? {}) as { type?: unknown; resources?: unknown };
  const type = strategy.type ?? "LeastAllocated";
  if (type !== "LeastAllocated" && type !== "MostAllocated") throw new Error(`scoringStrategy.type: Unsupported value: ${JSON.stringify(type)}: supported values: "LeastAllocated", "MostAllocated"`);
  const resources = resourcesArg(strategy.resources, "scoringStrategy.resources", DEFAULT_RESOURCES);
  const scorer = new ResourceAllocationScorer(resources, false, type === "LeastAllocated" ? leastAllocated : mostAllocated);
  return new NodeResourcesFit(scorer, new Set(stringListArg(args, "ignoredResources")), new Set(stringListArg(args, "ignoredResourceGroups")));
};
