// Which preemption victims a PodDisruptionBudget protects (upstream defaultpreemption
// filterPodsWithPDBViolation, v1.32). Victims are taken in the order given (most important first) and
// each one spends a disruption from every budget that selects it, so a budget with disruptionsAllowed
// 1 lets the first matching victim go and protects the rest. Budgets are only read, never changed.
import { LabelSelector } from "../api/label-selector.js";
import type { PodDisruptionBudget } from "./api-types.js";
import type { PodInfo } from "./pod-info.js";

export interface PDBGroups {
  /** Victims whose eviction would exceed a budget, in input order. */
  readonly violating: PodInfo[];
  readonly nonViolating: PodInfo[];
}

interface Budget {
  readonly namespace: string;
  readonly selector: LabelSelector;
  readonly disrupted: Readonly<Record<string, string>>;
  allowed: number;
}

/** Stable: a sorted input gives sorted groups. */
export function filterPodsWithPDBViolation(pods: readonly PodInfo[], pdbs: readonly PodDisruptionBudget[]): PDBGroups {
  const budgets = pdbs.flatMap(budgetOf);
  const groups: PDBGroups = { violating: [], nonViolating: [] };
  for (const pi of pods) {
    let violated = false;
    // A pod without labels matches no budget.
    if (Object.keys(pi.labels).length > 0) {
      for (const b of budgets) {
        if (b.namespace !== pi.namespace || !b.selector.matches(pi.labels)) continue;
        // Already in disruptedPods: the API server has counted this eviction, so it spends nothing.
        if (Object.hasOwn(b.disrupted, pi.name)) continue;
        b.allowed--;
        if (b.allowed < 0) violated = true;
      }
    }
    (violated ? groups.violating : groups.nonViolating).push(pi);
  }
  return groups;
}

/** A budget's working copy; an invalid, nil or empty selector matches nothing, so it is dropped. */
function budgetOf(pdb: PodDisruptionBudget): Budget[] {
  let selector: LabelSelector;
  try {
    selector = LabelSelector.fromObject(pdb.spec?.selector);
  } catch {
    return [];
  }
  if (selector.isEmpty() || selector.matchesNothing()) return [];
  const namespace = pdb.metadata?.namespace ?? "";
  return [{ namespace, selector, disrupted: pdb.status?.disruptedPods ?? {}, allowed: pdb.status?.disruptionsAllowed ?? 0 }];
}
