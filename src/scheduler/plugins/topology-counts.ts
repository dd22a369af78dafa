// Counts per topology pair (topologyKey, value), as upstream interpodaffinity's
// topologyToMatchedTermCount and scoreMap: nested maps so a node's pairs are found by key lookups,
// entries that drop to zero removed.
import type { Labels } from "../../api/label-selector.js";

export class TopologyCounts {
  private readonly byKey = new Map<string, Map<string, number>>();

  /** Adds delta to (key, labels[key]) when the node has that label. */
  addForNode(labels: Labels, key: string, delta: number): void {
    const value = labels[key];
    if (value !== undefined) this.add(key, value, delta);
  }

  add(key: string, value: string, delta: number): void {
    let values = this.byKey.get(key);
    if (!values) this.byKey.set(key, (values = new Map()));
    const n = (values.get(value) ?? 0) + delta;
    if (n !== 0) values.set(value, n);
    else values.delete(value);
    if (values.size === 0) this.byKey.delete(key);
  }

  get(key: string, value: string): number {
    return this.byKey.get(key)?.get(value) ?? 0;
  }

  isEmpty(): boolean {
    return this.byKey.size === 0;
  }

  /** Sum over the node's labels of the counts of its pairs. */
  sumForNode(labels: Labels): number {
    let sum = 0;
    for (const [key, values] of this.byKey) {
      const v = labels[key];
      if (v !== undefined) sum += values.get(v) ?? 0;
    }
    return sum;
  }

  /** Whether any of the node's pairs has a positive count. */
  anyPositiveForNode(labels: Labels): boolean {
    for (const [key, values] of this.byKey) {
      const v = labels[key];
      if (v !== undefined && (values.get(v) ?? 0) > 0) return true;
    }
    return false;
  }

  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [key, values] of this.byKey) c.byKey.set(key, new Map(values));
    return c;
  }
}
