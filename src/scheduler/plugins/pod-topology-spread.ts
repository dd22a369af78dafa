// PodTopologySpread (upstream plugins/podtopologyspread, v1.32): DoNotSchedule constraints filter
// (maxSkew, minDomains, nodeAffinityPolicy/nodeTaintsPolicy), ScheduleAnyway constraints score.
// Only the pod's own constraints apply: cluster default constraints need Service and workload
// listers, which this scheduler does not have yet.
import { type CycleState, readState } from "../cycle-state.js";
import type { FilterPlugin, Handle, PluginFactory, PreFilterExtensions, PreFilterOutcome, PreFilterPlugin, PreScorePlugin, ScorePlugin } from "../framework.js";
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import { type PluginStatus, Status } from "../status.js";
import { spreadConstraints } from "./topology-spread-constraints.js";
import { computePreFilterState, fitsSpread, PreFilterState } from "./topology-spread-filtering.js";
import { computePreScoreState, normalizeSpreadScores, PreScoreState } from "./topology-spread-scoring.js";

export const POD_TOPOLOGY_SPREAD = "PodTopologySpread";
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;
const PRE_FILTER_KEY = `PreFilter${POD_TOPOLOGY_SPREAD}`;
const PRE_SCORE_KEY = `PreScore${POD_TOPOLOGY_SPREAD}`;

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = POD_TOPOLOGY_SPREAD;
  readonly preFilterExtensions: PreFilterExtensions;
  private readonly skewRejected = Status.unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH).withPlugin(POD_TOPOLOGY_SPREAD);
  private readonly labelRejected = Status.unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH).withPlugin(POD_TOPOLOGY_SPREAD);

  constructor(private readonly handle: Handle) {
    const update = (delta: number) => (state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): PluginStatus => {
      const s = state.read(PRE_FILTER_KEY);
      if (s instanceof PreFilterState) s.updateWithPod(other, pod, node, delta);
      return null;
    };
    this.preFilterExtensions = { addPod: update(1), removePod: update(-1) };
  }

  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterOutcome {
    if (!pod.pod.spec?.topologySpreadConstraints?.length) return Status.skip();
    try {
      const constraints = spreadConstraints(pod, "DoNotSchedule");
      if (constraints.length === 0) return Status.skip();
      state.write(PRE_FILTER_KEY, computePreFilterState(pod, constraints, nodes, this.handle.snapshot));
      return null;
    } catch (e) {
      return Status.error(`get constraints from pod: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): PluginStatus {
    const result = fitsSpread(readState(state, PRE_FILTER_KEY, PreFilterState), pod, nodeInfo);
    return result === "fits" ? null : result === "skew" ? this.skewRejected : this.labelRejected;
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PluginStatus {
    if (nodes.length === 0 || !pod.pod.spec?.topologySpreadConstraints?.length) return Status.skip();
    try {
      const constraints = spreadConstraints(pod, "ScheduleAnyway");
      if (constraints.length === 0) return Status.skip();
      state.write(PRE_SCORE_KEY, computePreScoreState(pod, constraints, nodes, this.handle.snapshot));
      return null;
    } catch (e) {
      return Status.error(e instanceof Error ? e.message : String(e));
    }
  }

  score(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): number {
    return readState(state, PRE_SCORE_KEY, PreScoreState).score(nodeInfo);
  }

  normalizeScore(state: CycleState, _pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): PluginStatus {
    normalizeSpreadScores(readState(state, PRE_SCORE_KEY, PreScoreState), nodes, scores);
    return null;
  }
}

export const newPodTopologySpread: PluginFactory = (handle) => new PodTopologySpread(handle);
