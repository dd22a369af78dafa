// PodTopologySpread's PreFilter state and Filter (upstream plugins/podtopologyspread/filtering.go,
// v1.32): per DoNotSchedule constraint, matching pods per topology value over the eligible domains,
// and the two smallest counts (critical paths). A node fits when, for every constraint, pods in its
// domain + 1 if the pod matches itself − the global minimum (0 with fewer than minDomains domains)
// stays within maxSkew.
import type { StateData } from "../cycle-state.js";
import type { SharedLister } from "../framework.js";
import { RequiredNodeAffinity } from "../node-affinity.js";
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import { forEachMatchingPodNode, matchNodeInclusionPolicies, nodeHasAllTopologyKeys, type SpreadConstraint } from "./topology-spread-constraints.js";

const MAX_INT32 = 2 ** 31 - 1;

/** upstream criticalPaths: [0] always holds the minimum, [1] a count at least as large. */
export class CriticalPaths {
  readonly paths: [{ value: string; num: number }, { value: string; num: number }] = [{ value: "", num: MAX_INT32 }, { value: "", num: MAX_INT32 }];

  update(value: string, num: number): void {
    const p = this.paths;
    const existing = value === p[0].value ? p[0] : value === p[1].value ? p[1] : undefined;
    if (existing) {
      existing.num = num;
      if (p[0].num > p[1].num) p.reverse();
    } else if (num < p[0].num) {
      p[1] = p[0];
      p[0] = { value, num };
    } else if (num < p[1].num) {
      p[1] = { value, num };
    }
  }

  clone(): CriticalPaths {
    const c = new CriticalPaths();
    c.paths[0] = { ...this.paths[0] };
    c.paths[1] = { ...this.paths[1] };
    return c;
  }
}

export class PreFilterState implements StateData {
  constructor(
    readonly constraints: readonly SpreadConstraint[],
    readonly required: RequiredNodeAffinity,
    readonly tpValueToMatchNum: Map<string, number>[],
    readonly criticalPaths: CriticalPaths[],
  ) {}

  clone(): PreFilterState {
    return new PreFilterState(this.constraints, this.required, this.tpValueToMatchNum.map((m) => new Map(m)), this.criticalPaths.map((p) => p.clone()));
  }

  /** upstream minMatchNum. */
  minMatchNum(i: number): number {
    const c = this.constraints[i] as SpreadConstraint;
    if ((this.tpValueToMatchNum[i] as Map<string, number>).size < c.minDomains) return 0;
    return (this.criticalPaths[i] as CriticalPaths).paths[0].num;
  }

  /** upstream updateWithPod (PreFilter extensions: preemption and nominated pods). */
  updateWithPod(updated: PodInfo, preemptor: PodInfo, node: NodeInfo, delta: number): void {
    if (updated.namespace !== preemptor.namespace || !nodeHasAllTopologyKeys(node.labels, this.constraints)) return;
    this.constraints.forEach((c, i) => {
      if (!c.selector.matches(updated.labels) || !matchNodeInclusionPolicies(c, preemptor, node, this.required)) return;
      const value = node.labels[c.topologyKey] as string;
      const counts = this.tpValueToMatchNum[i] as Map<string, number>;
      const n = (counts.get(value) ?? 0) + delta;
      counts.set(value, n);
      this.criticalPaths[i]?.update(value, n);
    });
  }
}

/** upstream calPreFilterState, counting matching pods through the label index. */
export function computePreFilterState(pod: PodInfo, constraints: readonly SpreadConstraint[], nodes: readonly NodeInfo[], lister: SharedLister): PreFilterState {
  const required = RequiredNodeAffinity.fromPod(pod.pod);
  const counts = constraints.map(() => new Map<string, number>());
  const eligible = (c: SpreadConstraint, node: NodeInfo): boolean =>
    nodeHasAllTopologyKeys(node.labels, constraints) && matchNodeInclusionPolicies(c, pod, node, required);
  for (let i = 0; i < constraints.length; i++) addDomains(counts[i] as Map<string, number>, constraints[i] as SpreadConstraint, nodes, eligible);
  constraints.forEach((c, i) => {
    const m = counts[i] as Map<string, number>;
    forEachMatchingPodNode(lister, pod.namespace, c.selector, (node) => {
      if (!eligible(c, node)) return;
      const value = node.labels[c.topologyKey] as string;
      m.set(value, (m.get(value) ?? 0) + 1);
    });
  });
  const paths = counts.map((m) => {
    const p = new CriticalPaths();
    for (const [value, num] of m) p.update(value, num);
    return p;
  });
  return new PreFilterState(constraints, required, counts, paths);
}

/** Every eligible node's topology value becomes a domain, with no matching pods yet. */
function addDomains(domains: Map<string, number>, c: SpreadConstraint, nodes: readonly NodeInfo[], eligible: (c: SpreadConstraint, node: NodeInfo) => boolean): void {
  const key = c.topologyKey;
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n] as NodeInfo;
    const value = node.labels[key];
    if (value === undefined || domains.has(value) || !eligible(c, node)) continue;
    domains.set(value, 0);
  }
}

export type SpreadFilterResult = "fits" | "missingLabel" | "skew";

export function fitsSpread(s: PreFilterState, pod: PodInfo, node: NodeInfo): SpreadFilterResult {
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i] as SpreadConstraint;
    const value = node.labels[c.topologyKey];
    if (value === undefined) return "missingLabel";
    const selfMatch = c.selector.matches(pod.labels) ? 1 : 0;
    const matchNum = (s.tpValueToMatchNum[i] as Map<string, number>).get(value) ?? 0;
    if (matchNum + selfMatch - s.minMatchNum(i) > c.maxSkew) return "skew";
  }
  return "fits";
}
