// Taints and tolerations as upstream core/v1 helpers: Toleration.ToleratesTaint (empty effect and
// empty key with Exists match all; an empty operator means Equal) and FindMatchingUntoleratedTaint.
import type { Taint, Toleration } from "./api-types.js";

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "") {
    case "": case "Equal": return (t.value ?? "") === (taint.value ?? "");
    case "Exists": return true;
    default: return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The first taint (in node order) that passes inclusionFilter and no toleration tolerates. */
export function findMatchingUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[], inclusionFilter: (t: Taint) => boolean): Taint | undefined {
  for (const taint of taints) if (inclusionFilter(taint) && !tolerationsTolerateTaint(tolerations, taint)) return taint;
  return undefined;
}

/** upstream helper.DoNotScheduleTaintsFilterFunc: NoSchedule and NoExecute. */
export function isDoNotScheduleTaint(t: Taint): boolean {
  return t.effect === "NoSchedule" || t.effect === "NoExecute";
}
