// InterPodAffinity's PreFilter state and Filter checks (upstream plugins/interpodaffinity/filtering.go,
// v1.32): counts per topology pair of (1) existing pods whose required anti-affinity the incoming pod
// matches, (2) pods matching all of the incoming pod's required affinity terms, (3) pods matching each
// of its required anti-affinity terms; a node passes when its pairs satisfy all three.
import type { Labels } from "../../api/label-selector.js";
import type { StateData } from "../cycle-state.js";
import type { SharedLister } from "../framework.js";
import type { NodeInfo } from "../node-info.js";
import { type AffinityTerm, type PodInfo, termMatches } from "../pod-info.js";
import { forEachPodMatchingTerm, mergeTermNamespaces, podMatchesAllTerms } from "./inter-pod-affinity-terms.js";
import { TopologyCounts } from "./topology-counts.js";

export class PreFilterState implements StateData {
  constructor(
    readonly pod: PodInfo,
    /** The incoming pod's required terms, namespaceSelector merged. */
    readonly affinityTerms: readonly AffinityTerm[],
    readonly antiAffinityTerms: readonly AffinityTerm[],
    readonly namespaceLabels: Labels | undefined,
    readonly existingAntiAffinityCounts: TopologyCounts,
    readonly affinityCounts: TopologyCounts,
    readonly antiAffinityCounts: TopologyCounts,
  ) {}

  clone(): PreFilterState {
    return new PreFilterState(this.pod, this.affinityTerms, this.antiAffinityTerms, this.namespaceLabels,
      this.existingAntiAffinityCounts.clone(), this.affinityCounts.clone(), this.antiAffinityCounts.clone());
  }

  /** upstream preFilterState.updateWithPod: another pod added (+1) or removed (−1) on node. */
  updateWithPod(other: PodInfo, node: NodeInfo, delta: number): void {
    for (const t of other.requiredAntiAffinityTerms) {
      if (termMatches(t, this.pod, this.namespaceLabels)) this.existingAntiAffinityCounts.addForNode(node.labels, t.topologyKey, delta);
    }
    if (podMatchesAllTerms(this.affinityTerms, other)) {
      for (const t of this.affinityTerms) this.affinityCounts.addForNode(node.labels, t.topologyKey, delta);
    }
    for (const t of this.antiAffinityTerms) {
      if (termMatches(t, other, undefined)) this.antiAffinityCounts.addForNode(node.labels, t.topologyKey, delta);
    }
  }
}

export function computePreFilterState(pod: PodInfo, lister: SharedLister): PreFilterState {
  const affinityTerms = pod.requiredAffinityTerms.map((t) => mergeTermNamespaces(t, lister));
  const antiAffinityTerms = pod.requiredAntiAffinityTerms.map((t) => mergeTermNamespaces(t, lister));
  const namespaceLabels = lister.namespaceLabels(pod.namespace);
  return new PreFilterState(pod, affinityTerms, antiAffinityTerms, namespaceLabels,
    existingAntiAffinityCounts(pod, namespaceLabels, lister), affinityCounts(affinityTerms, lister), antiAffinityCounts(antiAffinityTerms, lister));
}

/** upstream getExistingAntiAffinityCounts, one match per distinct term. */
function existingAntiAffinityCounts(pod: PodInfo, namespaceLabels: Labels | undefined, lister: SharedLister): TopologyCounts {
  const counts = new TopologyCounts();
  for (const group of lister.antiAffinityGroups()) {
    if (!termMatches(group.term, pod, namespaceLabels)) continue;
    for (const [nodeName, n] of group.nodes) {
      const node = lister.getNodeInfo(nodeName);
      if (node) counts.addForNode(node.labels, group.term.topologyKey, n);
    }
  }
  return counts;
}

/** Pods matching all the incoming pod's affinity terms count once per term's topology. */
function affinityCounts(terms: readonly AffinityTerm[], lister: SharedLister): TopologyCounts {
  const counts = new TopologyCounts();
  const first = terms[0];
  if (!first) return counts;
  forEachPodMatchingTerm(lister, first, (pi, node) => {
    if (!podMatchesAllTerms(terms, pi)) return;
    for (const t of terms) counts.addForNode(node.labels, t.topologyKey, 1);
  });
  return counts;
}

function antiAffinityCounts(terms: readonly AffinityTerm[], lister: SharedLister): TopologyCounts {
  const counts = new TopologyCounts();
  for (const t of terms) forEachPodMatchingTerm(lister, t, (_pi, node) => counts.addForNode(node.labels, t.topologyKey, 1));
  return counts;
}

/** upstream satisfyPodAffinity, including the first pod of a group that has affinity to itself. */
export function satisfyPodAffinity(s: PreFilterState, node: NodeInfo): boolean {
  let podsExist = true;
  for (const t of s.affinityTerms) {
    const value = node.labels[t.topologyKey];
    if (value === undefined) return false;
    if (s.affinityCounts.get(t.topologyKey, value) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  return s.affinityCounts.isEmpty() && podMatchesAllTerms(s.affinityTerms, s.pod);
}

/** upstream satisfyPodAntiAffinity. */
export function satisfyPodAntiAffinity(s: PreFilterState, node: NodeInfo): boolean {
  if (s.antiAffinityCounts.isEmpty()) return true;
  for (const t of s.antiAffinityTerms) {
    const value = node.labels[t.topologyKey];
    if (value !== undefined && s.antiAffinityCounts.get(t.topologyKey, value) > 0) return false;
  }
  return true;
}

/** upstream satisfyExistingPodsAntiAffinity. */
export function satisfyExistingPodsAntiAffinity(s: PreFilterState, node: NodeInfo): boolean {
  return s.existingAntiAffinityCounts.isEmpty() || !s.existingAntiAffinityCounts.anyPositiveForNode(node.labels);
}
