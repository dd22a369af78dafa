// TaintToleration (upstream plugins/tainttoleration, v1.32). Filter: a node's first NoSchedule or
// NoExecute taint the pod does not tolerate rejects it, "node(s) had untolerated taint {key: value}";
// Score: fewer untolerated PreferNoSchedule taints is better (counts normalized in reverse).
import { type CycleState, readState, type StateData } from "../cycle-state.js";
import { type FilterPlugin, MAX_NODE_SCORE, type PluginFactory, type PreScorePlugin, type ScorePlugin } from "../framework.js";
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import { defaultNormalizeScore } from "../score-normalize.js";
import { type PluginStatus, Status } from "../status.js";
import { findMatchingUntoleratedTaint, isDoNotScheduleTaint, tolerationsTolerateTaint } from "../taints.js";
import type { Toleration } from "../api-types.js";

export const TAINT_TOLERATION = "TaintToleration";
const PRE_SCORE_KEY = `PreScore${TAINT_TOLERATION}`;

class PreScoreState implements StateData {
  constructor(readonly tolerationsPreferNoSchedule: readonly Toleration[]) {}
  clone(): StateData { return this; }
}

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = TAINT_TOLERATION;
  private readonly statuses = new Map<string, Status>();

  filter(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): PluginStatus {
    if (nodeInfo.taints.length === 0) return null;
    const taint = findMatchingUntoleratedTaint(nodeInfo.taints, pod.pod.spec?.tolerations ?? [], isDoNotScheduleTaint);
    if (!taint) return null;
    const reason = `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`;
    let s = this.statuses.get(reason);
    if (!s) this.statuses.set(reason, (s = Status.unresolvable(reason).withPlugin(TAINT_TOLERATION)));
    return s;
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PluginStatus {
    if (nodes.length === 0) return null;
    // An empty effect tolerates every effect, PreferNoSchedule included.
    const tolerations = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === "PreferNoSchedule");
    state.write(PRE_SCORE_KEY, new PreScoreState(tolerations));
    return null;
  }

  score(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): number {
    if (nodeInfo.taints.length === 0) return 0;
    const tolerations = readState(state, PRE_SCORE_KEY, PreScoreState).tolerationsPreferNoSchedule;
    let intolerable = 0;
    for (const taint of nodeInfo.taints) {
      if (taint.effect === "PreferNoSchedule" && !tolerationsTolerateTaint(tolerations, taint)) intolerable++;
    }
    return intolerable;
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, _nodes: readonly NodeInfo[], scores: number[]): PluginStatus {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
    return null;
  }
}

export const newTaintToleration: PluginFactory = () => new TaintToleration();
