// PodTopologySpread's PreScore state and scores (upstream plugins/podtopologyspread/scoring.go,
// v1.32), for ScheduleAnyway constraints: a node scores the matching pods in its domains, each
// constraint weighted by log(number of domains + 2) plus maxSkew − 1, and normalization turns fewer
// pods into higher scores. Nodes missing a topology key score 0. Counts come from the label index.
import { LABEL_HOSTNAME } from "../api-types.js";
import type { StateData } from "../cycle-state.js";
import { MAX_NODE_SCORE, type SharedLister } from "../framework.js";
import { RequiredNodeAffinity } from "../node-affinity.js";
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import { forEachMatchingPodNode, matchNodeInclusionPolicies, nodeHasAllTopologyKeys, type SpreadConstraint } from "./topology-spread-constraints.js";

export class PreScoreState implements StateData {
  constructor(
    readonly constraints: readonly SpreadConstraint[],
    /** Nodes missing some constraint's topology key: scored 0. */
    readonly ignoredNodes: ReadonlySet<string>,
    /** Per constraint: matching pods per topology value (per node name for hostname). */
    readonly counts: readonly Map<string, number>[],
    readonly normalizingWeights: readonly number[],
  ) {}

  clone(): StateData { return this; }

  score(node: NodeInfo): number {
    if (this.ignoredNodes.has(node.name)) return 0;
    let score = 0;
    for (let i = 0; i < this.constraints.length; i++) {
      const c = this.constraints[i] as SpreadConstraint;
      const value = node.labels[c.topologyKey];
      if (value === undefined) continue;
      const key = c.topologyKey === LABEL_HOSTNAME ? node.name : value;
      const cnt = (this.counts[i] as Map<string, number>).get(key) ?? 0;
      score += cnt * (this.normalizingWeights[i] as number) + (c.maxSkew - 1);
    }
    return Math.round(score);
  }
}

/** upstream initPreScoreState + PreScore's counting. */
export function computePreScoreState(pod: PodInfo, constraints: readonly SpreadConstraint[], filtered: readonly NodeInfo[], lister: SharedLister): PreScoreState {
  const ignored = new Set<string>();
  const counts = constraints.map(() => new Map<string, number>());
  for (const node of filtered) {
    if (!nodeHasAllTopologyKeys(node.labels, constraints)) {
      ignored.add(node.name);
      continue;
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey !== LABEL_HOSTNAME) (counts[i] as Map<string, number>).set(node.labels[c.topologyKey] as string, 0);
    });
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? filtered.length - ignored.size : (counts[i] as Map<string, number>).size) + 2));
  const required = RequiredNodeAffinity.fromPod(pod.pod);
  constraints.forEach((c, i) => countMatchingPods(pod, c, constraints, required, lister, counts[i] as Map<string, number>));
  return new PreScoreState(constraints, ignored, counts, weights);
}

function countMatchingPods(pod: PodInfo, c: SpreadConstraint, all: readonly SpreadConstraint[], required: RequiredNodeAffinity, lister: SharedLister, counts: Map<string, number>): void {
  const hostname = c.topologyKey === LABEL_HOSTNAME;
  forEachMatchingPodNode(lister, pod.namespace, c.selector, (node) => {
    if (hostname) {
      // Per-node counts: upstream Score counts the node's own matching pods.
      counts.set(node.name, (counts.get(node.name) ?? 0) + 1);
      return;
    }
    if (!nodeHasAllTopologyKeys(node.labels, all) || !matchNodeInclusionPolicies(c, pod, node, required)) return;
    const value = node.labels[c.topologyKey] as string;
    const n = counts.get(value);
    if (n !== undefined) counts.set(value, n + 1);
  });
}

/** upstream NormalizeScore: MAX × (max + min − score) / max; ignored nodes get 0. */
export function normalizeSpreadScores(s: PreScoreState, nodes: readonly NodeInfo[], scores: number[]): void {
  let min = Infinity;
  let max = 0;
  nodes.forEach((n, i) => {
    if (s.ignoredNodes.has(n.name)) return;
    const v = scores[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  });
  nodes.forEach((n, i) => {
    if (s.ignoredNodes.has(n.name)) scores[i] = 0;
    else if (max === 0) scores[i] = MAX_NODE_SCORE;
    else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - (scores[i] as number))) / max);
  });
}
