// NodeResourcesBalancedAllocation (upstream plugins/noderesources/balanced_allocation.go): favours
// nodes whose cpu and memory would be used in equal fractions, on exact requests. Best-effort pods
// (no requests) skip it, so they do not all pile onto one node (upstream issue 129138).
import { type CycleState, readState, type StateData } from "../cycle-state.js";
import type { PluginArgs, PluginFactory, PreScorePlugin, ScorePlugin } from "../framework.js";
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import { type PluginStatus, Status } from "../status.js";
import { resourcesArg } from "./plugin-args.js";
import { balancedAllocation, DEFAULT_RESOURCES, ResourceAllocationScorer } from "./resource-allocation.js";

export const NODE_RESOURCES_BALANCED_ALLOCATION = "NodeResourcesBalancedAllocation";
const PRE_SCORE_KEY = `PreScore${NODE_RESOURCES_BALANCED_ALLOCATION}`;

class PreScoreState implements StateData {
  constructor(readonly podRequests: readonly number[]) {}
  clone(): StateData { return this; }
}

export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = NODE_RESOURCES_BALANCED_ALLOCATION;

  constructor(private readonly scorer: ResourceAllocationScorer) {}

  preScore(state: CycleState, pod: PodInfo): PluginStatus {
    const podRequests = this.scorer.podRequests(pod);
    if (podRequests.every((r) => r === 0)) return Status.skip();
    state.write(PRE_SCORE_KEY, new PreScoreState(podRequests));
    return null;
  }

  score(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): number {
    return this.scorer.score(nodeInfo, readState(state, PRE_SCORE_KEY, PreScoreState).podRequests);
  }

  scoreNodes(state: CycleState, _pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void {
    this.scorer.scoreAll(nodes, readState(state, PRE_SCORE_KEY, PreScoreState).podRequests, scores);
  }
}

/** args: { resources?: [{name, weight}] } (default cpu and memory). */
export const newNodeResourcesBalancedAllocation: PluginFactory = (_handle, args: PluginArgs | undefined) =>
  new NodeResourcesBalancedAllocation(new ResourceAllocationScorer(resourcesArg(args?.["resources"], "resources", DEFAULT_RESOURCES), true, balancedAllocation));
