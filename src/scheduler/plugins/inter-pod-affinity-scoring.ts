// InterPodAffinity's PreScore state and scores (upstream plugins/interpodaffinity/scoring.go, v1.32):
// per topology pair, + weight for pods matching the incoming pod's preferred affinity terms, − weight
// for its preferred anti-affinity terms, and the symmetric contributions of existing pods' required
// affinity (hardPodAffinityWeight) and preferred terms toward the incoming pod. A node scores the sum
// over its pairs; scores are min-max normalized to 0–100.
import type { Labels } from "../../api/label-selector.js";
import type { StateData } from "../cycle-state.js";
import type { SharedLister } from "../framework.js";
import { type PodInfo, termMatches, type WeightedAffinityTerm } from "../pod-info.js";
import { forEachPodMatchingTerm, mergeTermNamespaces } from "./inter-pod-affinity-terms.js";
import { TopologyCounts } from "./topology-counts.js";

export class PreScoreState implements StateData {
  constructor(readonly topologyScore: TopologyCounts) {}
  clone(): StateData { return this; }
}

export function computeTopologyScore(pod: PodInfo, lister: SharedLister, hardPodAffinityWeight: number): TopologyCounts {
  const score = new TopologyCounts();
  const addIncoming = (terms: readonly WeightedAffinityTerm[], sign: number): void => {
    for (const t of terms.map((term) => mergeTermNamespaces(term, lister))) {
      forEachPodMatchingTerm(lister, t, (_pi, node) => score.addForNode(node.labels, t.topologyKey, sign * t.weight));
    }
  };
  addIncoming(pod.preferredAffinityTerms, 1);
  addIncoming(pod.preferredAntiAffinityTerms, -1);
  const namespaceLabels = lister.namespaceLabels(pod.namespace);
  for (const existing of lister.podsWithScoringAffinity()) {
    const node = lister.getNodeInfo(existing.nodeName);
    if (node) addExistingPodTerms(score, existing, node.labels, pod, namespaceLabels, hardPodAffinityWeight);
  }
  return score;
}

/** The existing pod's own terms toward the incoming pod (second half of upstream processExistingPod). */
function addExistingPodTerms(score: TopologyCounts, existing: PodInfo, nodeLabels: Labels, incoming: PodInfo, namespaceLabels: Labels | undefined, hardWeight: number): void {
  if (hardWeight > 0) {
    for (const t of existing.requiredAffinityTerms) {
      if (termMatches(t, incoming, namespaceLabels)) score.addForNode(nodeLabels, t.topologyKey, hardWeight);
    }
  }
  for (const t of existing.preferredAffinityTerms) {
    if (termMatches(t, incoming, namespaceLabels)) score.addForNode(nodeLabels, t.topologyKey, t.weight);
  }
  for (const t of existing.preferredAntiAffinityTerms) {
    if (termMatches(t, incoming, namespaceLabels)) score.addForNode(nodeLabels, t.topologyKey, -t.weight);
  }
}

/** upstream NormalizeScore: (score − min) / (max − min) × 100, truncated. */
export function normalizeMinMax(scores: number[], maxNodeScore: number): void {
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (s > max) max = s;
    if (s < min) min = s;
  }
  const diff = max - min;
  for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc(maxNodeScore * (((scores[i] as number) - min) / diff)) : 0;
}
