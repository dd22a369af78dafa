// The required anti-affinity terms of the cluster's scheduled pods, grouped: pods of one workload
// carry identical terms, so a group holds one term and how many of its pods sit on each node.
// InterPodAffinity's PreFilter then matches the incoming pod once per distinct term instead of once
// per pod (upstream iterates every pod with required anti-affinity).
import type { AffinityTerm, PodInfo } from "./pod-info.js";

export interface TermGroup {
  readonly term: AffinityTerm;
  /** node name → number of this term's pods on it. */
  readonly nodes: Map<string, number>;
}

export class AntiAffinityIndex {
  private readonly groups = new Map<string, TermGroup>();

  add(pi: PodInfo): void {
    for (const term of pi.requiredAntiAffinityTerms) {
      const key = termKey(term);
      let group = this.groups.get(key);
      if (!group) this.groups.set(key, (group = { term, nodes: new Map() }));
      group.nodes.set(pi.nodeName, (group.nodes.get(pi.nodeName) ?? 0) + 1);
    }
  }

  remove(pi: PodInfo): void {
    for (const term of pi.requiredAntiAffinityTerms) {
      const key = termKey(term);
      const group = this.groups.get(key);
      const n = group?.nodes.get(pi.nodeName);
      if (!group || n === undefined) continue;
      if (n > 1) group.nodes.set(pi.nodeName, n - 1);
      else group.nodes.delete(pi.nodeName);
      if (group.nodes.size === 0) this.groups.delete(key);
    }
  }

  values(): IterableIterator<TermGroup> {
    return this.groups.values();
  }
}

function termKey(t: AffinityTerm): string {
  const selector = (s: AffinityTerm["selector"]): string => (s.matchesNothing() ? "\u0000nothing" : s.toString());
  return [[...t.namespaces].sort().join(","), selector(t.namespaceSelector), selector(t.selector), t.topologyKey].join("\u0001");
}
