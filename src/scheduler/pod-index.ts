// An index of the cluster's scheduled pods by namespace and label, so InterPodAffinity and
// PodTopologySpread find the pods a selector matches without scanning all pods: a selector is
// answered from its most selective equality, set or existence requirement, and only those
// candidates are matched against the whole selector. A selector with none (only NotIn,
// DoesNotExist, or empty) falls back to the namespace's pods.
import type { LabelSelector } from "../api/label-selector.js";
import type { PodInfo } from "./pod-info.js";

class NamespacePods {
  readonly all = new Set<PodInfo>();
  readonly byLabel = new Map<string, Map<string, Set<PodInfo>>>();

  add(pi: PodInfo): void {
    this.all.add(pi);
    for (const [key, value] of Object.entries(pi.labels)) {
      let values = this.byLabel.get(key);
      if (!values) this.byLabel.set(key, (values = new Map()));
      let pods = values.get(value);
      if (!pods) values.set(value, (pods = new Set()));
      pods.add(pi);
    }
  }

  remove(pi: PodInfo): void {
    this.all.delete(pi);
    for (const [key, value] of Object.entries(pi.labels)) {
      const values = this.byLabel.get(key);
      const pods = values?.get(value);
      if (!values || !pods) continue;
      pods.delete(pi);
      if (pods.size === 0) values.delete(value);
      if (values.size === 0) this.byLabel.delete(key);
    }
  }

  /** The smallest candidate sets the selector allows, or [all] when no requirement narrows it. */
  candidates(selector: LabelSelector): Iterable<PodInfo>[] {
    let best: Set<PodInfo>[] | undefined;
    let bestSize = Infinity;
    for (const r of selector.requirements) {
      const sets = this.setsFor(r.key, r.operator, r.values);
      if (!sets) continue;
      const size = sets.reduce((n, s) => n + s.size, 0);
      if (size < bestSize) [best, bestSize] = [sets, size];
    }
    return best ?? [this.all];
  }

  private setsFor(key: string, operator: string, values: readonly string[]): Set<PodInfo>[] | undefined {
    const byValue = this.byLabel.get(key);
    if (operator === "=" || operator === "==" || operator === "in") {
      const sets: Set<PodInfo>[] = [];
      for (const v of new Set(values)) {
        const s = byValue?.get(v);
        if (s) sets.push(s);
      }
      return sets;
    }
    if (operator === "exists") return byValue ? [...byValue.values()] : [];
    return undefined;
  }
}

export class PodIndex {
  private readonly byNamespace = new Map<string, NamespacePods>();

  add(pi: PodInfo): void {
    let ns = this.byNamespace.get(pi.namespace);
    if (!ns) this.byNamespace.set(pi.namespace, (ns = new NamespacePods()));
    ns.add(pi);
  }

  remove(pi: PodInfo): void {
    const ns = this.byNamespace.get(pi.namespace);
    if (!ns) return;
    ns.remove(pi);
    if (ns.all.size === 0) this.byNamespace.delete(pi.namespace);
  }

  namespaces(): IterableIterator<string> {
    return this.byNamespace.keys();
  }

  /** Calls fn for each pod in namespace whose labels the selector matches. */
  forEachMatching(namespace: string, selector: LabelSelector, fn: (pi: PodInfo) => void): void {
    const ns = this.byNamespace.get(namespace);
    if (!ns || selector.matchesNothing()) return;
    for (const candidates of ns.candidates(selector)) {
      for (const pi of candidates) if (selector.matches(pi.labels)) fn(pi);
    }
  }
}
