// InterPodAffinity (upstream plugins/interpodaffinity, v1.32): required pod affinity and anti-affinity
// of the incoming pod, existing pods' required anti-affinity toward it (Filter, with PreFilter
// extensions for preemption), and preferred terms both ways (Score). Messages as upstream.
import { type CycleState, readState } from "../cycle-state.js";
import {
  type FilterPlugin, type Handle, MAX_NODE_SCORE, type PluginArgs, type PluginFactory, type PreFilterExtensions, type PreFilterOutcome,
  type PreFilterPlugin, type PreScorePlugin, type ScorePlugin,
} from "../framework.js";
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import { type PluginStatus, Status } from "../status.js";
import { computePreFilterState, PreFilterState, satisfyExistingPodsAntiAffinity, satisfyPodAffinity, satisfyPodAntiAffinity } from "./inter-pod-affinity-filtering.js";
import { computeTopologyScore, normalizeMinMax, PreScoreState } from "./inter-pod-affinity-scoring.js";
import { numberArg } from "./plugin-args.js";

export const INTER_POD_AFFINITY = "InterPodAffinity";
export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";
const PRE_FILTER_KEY = `PreFilter${INTER_POD_AFFINITY}`;
const PRE_SCORE_KEY = `PreScore${INTER_POD_AFFINITY}`;

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = INTER_POD_AFFINITY;
  readonly preFilterExtensions: PreFilterExtensions;
  private readonly affinityRejected = Status.unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH).withPlugin(INTER_POD_AFFINITY);
  private readonly antiAffinityRejected = Status.unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH).withPlugin(INTER_POD_AFFINITY);
  private readonly existingRejected = Status.unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH).withPlugin(INTER_POD_AFFINITY);

  constructor(private readonly handle: Handle, private readonly hardPodAffinityWeight: number) {
    const update = (delta: number) => (state: CycleState, _pod: PodInfo, other: PodInfo, node: NodeInfo): PluginStatus => {
      readState(state, PRE_FILTER_KEY, PreFilterState).updateWithPod(other, node, delta);
      return null;
    };
    this.preFilterExtensions = { addPod: update(1), removePod: update(-1) };
  }

  preFilter(state: CycleState, pod: PodInfo): PreFilterOutcome {
    if (pod.parseError !== undefined) return Status.unresolvable(`parsing pod: ${pod.parseError}`);
    const s = computePreFilterState(pod, this.handle.snapshot);
    if (s.existingAntiAffinityCounts.isEmpty() && s.affinityTerms.length === 0 && s.antiAffinityTerms.length === 0) return Status.skip();
    state.write(PRE_FILTER_KEY, s);
    return null;
  }

  filter(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): PluginStatus {
    const s = readState(state, PRE_FILTER_KEY, PreFilterState);
    if (!satisfyPodAffinity(s, nodeInfo)) return this.affinityRejected;
    if (!satisfyPodAntiAffinity(s, nodeInfo)) return this.antiAffinityRejected;
    if (!satisfyExistingPodsAntiAffinity(s, nodeInfo)) return this.existingRejected;
    return null;
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PluginStatus {
    if (nodes.length === 0) return null;
    if (pod.parseError !== undefined) return Status.error(`parsing pod: ${pod.parseError}`);
    const score = computeTopologyScore(pod, this.handle.snapshot, this.hardPodAffinityWeight);
    if (score.isEmpty()) return Status.skip();
    state.write(PRE_SCORE_KEY, new PreScoreState(score));
    return null;
  }

  score(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): number {
    return readState(state, PRE_SCORE_KEY, PreScoreState).topologyScore.sumForNode(nodeInfo.labels);
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, _nodes: readonly NodeInfo[], scores: number[]): PluginStatus {
    normalizeMinMax(scores, MAX_NODE_SCORE);
    return null;
  }
}

/** args: { hardPodAffinityWeight?: 0–100 (default 1) }. */
export const newInterPodAffinity: PluginFactory = (handle, args: PluginArgs | undefined) => {
  const weight = numberArg(args, "hardPodAffinityWeight", 1);
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) throw new Error(`hardPodAffinityWeight: Invalid value: ${weight}: not in valid range [0-100]`);
  return new InterPodAffinity(handle, weight);
};
