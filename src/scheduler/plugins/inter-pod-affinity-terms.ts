// Matching InterPodAffinity terms against the cluster's pods through the SharedLister's label index
// (upstream iterates every pod on every node). The incoming pod's terms first get their
// namespaceSelector unrolled into namespaces (upstream mergeAffinityTermNamespacesIfNotEmpty), so an
// incoming term either lists its namespaces or, with an empty selector, spans all of them.
import { LabelSelector } from "../../api/label-selector.js";
import type { SharedLister } from "../framework.js";
import type { NodeInfo } from "../node-info.js";
import { type AffinityTerm, type PodInfo, termMatches } from "../pod-info.js";

const NOTHING = LabelSelector.nothing();

export function mergeTermNamespaces<T extends AffinityTerm>(term: T, lister: SharedLister): T {
  if (term.namespaceSelector.isEmpty()) return term;
  const namespaces = new Set([...term.namespaces, ...lister.namespacesMatching(term.namespaceSelector)]);
  return { ...term, namespaces, namespaceSelector: NOTHING };
}

/** Calls fn with each scheduled pod (on a known node) that a merged incoming term selects. */
export function forEachPodMatchingTerm(lister: SharedLister, term: AffinityTerm, fn: (pi: PodInfo, node: NodeInfo) => void): void {
  const namespaces = term.namespaceSelector.isEmpty() ? lister.podNamespaces() : term.namespaces;
  for (const ns of namespaces) {
    lister.forEachPodMatching(ns, term.selector, (pi) => {
      const node = lister.getNodeInfo(pi.nodeName);
      if (node) fn(pi, node);
    });
  }
}

/** upstream podMatchesAllAffinityTerms (incoming terms are merged: no namespace labels needed). */
export function podMatchesAllTerms(terms: readonly AffinityTerm[], pod: PodInfo): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatches(t, pod, undefined)) return false;
  return true;
}
