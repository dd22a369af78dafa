// Upstream's controller.ActivePods ordering (pkg/controller/controller_utils.go), which the Job
// controller uses to pick the pods to remove first: unassigned before assigned, Pending before
// Unknown before Running, not ready before ready, ready for less time first, more restarts first,
// created more recently first. (The ReplicaSet's ranked variant adds deletion cost and
// logarithmic buckets; Jobs use the plain one.)
import { lessByNodePhaseReadiness } from "../pod-deletion-order.js";
import { isPodReady, podReadyCondition } from "../pods.js";
import { timeMs } from "../../api/meta-time.js";
import type { Pod } from "./objects.js";

/** The pods sorted so that the first is the one to remove first (a new array). */
export function sortActivePods(pods: readonly Pod[]): Pod[] {
  return [...pods].sort((a, b) => (activePodsLess(a, b) ? -1 : activePodsLess(b, a) ? 1 : 0));
}

/** ActivePods.Less: true when pi should be removed before pj. */
export function activePodsLess(pi: Pod, pj: Pod): boolean {
  const first = lessByNodePhaseReadiness(pi, pj);
  if (first !== undefined) return first;
  if (isPodReady(pi) && isPodReady(pj)) {
    const readyI = timeMs(podReadyCondition(pi)?.lastTransitionTime);
    const readyJ = timeMs(podReadyCondition(pj)?.lastTransitionTime);
    if (readyI !== readyJ) return afterOrZero(readyI, readyJ);
  }
  const restartsI = maxRestarts(pi);
  const restartsJ = maxRestarts(pj);
  if (restartsI !== restartsJ) return restartsI > restartsJ;
  const createdI = timeMs(pi.metadata.creationTimestamp);
  const createdJ = timeMs(pj.metadata.creationTimestamp);
  if (createdI !== createdJ) return afterOrZero(createdI, createdJ);
  return false;
}

/** afterOrZero: a zero time first, otherwise the later time first. */
function afterOrZero(ti: number | undefined, tj: number | undefined): boolean {
  if (ti === undefined || tj === undefined) return ti === undefined;
  return ti > tj;
}

function maxRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}
