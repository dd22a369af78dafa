// Which pods a ReplicaSet deletes first when it has too many (upstream's ActivePodsWithRanks in
// pkg/controller/controller_utils.go, with PodDeletionCost and LogarithmicScaleDown on, as in
// v1.32). Rules, applied in turn until one differs; the first pod sorts first (deleted first):
//  1. unassigned before assigned to a node;
//  2. Pending before Unknown before Running;
//  3. not ready before ready;
//  4. lower controller.kubernetes.io/pod-deletion-cost first;
//  5. more active related pods on the same node first (doubled-up);
//  6. both ready: ready for a shorter time first (log2 buckets of age; equal bucket → by UID);
//  7. more container restarts first (then more restartable-init-container restarts);
//  8. newer first (log2 buckets of age; equal bucket → by UID).
import { lessByNodePhaseReadiness } from "../pod-deletion-order.js";
import { isPodActive, isPodReady, podReadyCondition, type Pod } from "../pods.js";
import { timeMs } from "../../api/meta-time.js";

export const POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

interface RankedPod {
  pod: Pod;
  /** Active related pods on the same node. */
  rank: number;
}

/** getPodsToDelete: the `diff` least valuable of filteredPods, ranked against relatedPods. */
export function getPodsToDelete(filteredPods: readonly Pod[], relatedPods: readonly Pod[], diff: number, nowMs: number): Pod[] {
  if (diff >= filteredPods.length) return filteredPods.slice(0, diff);
  const onNode = new Map<string, number>();
  for (const pod of relatedPods) {
    if (!isPodActive(pod)) continue;
    const node = pod.spec?.nodeName ?? "";
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked: RankedPod[] = filteredPods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? "") ?? 0 }));
  ranked.sort((a, b) => (lessForDeletion(a, b, nowMs) ? -1 : lessForDeletion(b, a, nowMs) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}

/** ActivePodsWithRanks.Less: true when a should be deleted before b. */
export function lessForDeletion(a: RankedPod, b: RankedPod, nowMs: number): boolean {
  const pi = a.pod;
  const pj = b.pod;
  const first = lessByNodePhaseReadiness(pi, pj);
  if (first !== undefined) return first;
  const costI = deletionCost(pi);
  const costJ = deletionCost(pj);
  if (costI !== costJ) return costI < costJ;
  if (a.rank !== b.rank) return a.rank > b.rank;
  return lessByTimesAndRestarts(pi, pj, nowMs);
}

/** Rules 6 to 8. */
function lessByTimesAndRestarts(pi: Pod, pj: Pod, nowMs: number): boolean {
  if (isPodReady(pi) && isPodReady(pj)) {
    const readyI = timeMs(podReadyCondition(pi)?.lastTransitionTime);
    const readyJ = timeMs(podReadyCondition(pj)?.lastTransitionTime);
    if (readyI !== readyJ) return newerFirst(pi, pj, readyI, readyJ, nowMs);
  }
  const restarts = compareMaxContainerRestarts(pi, pj);
  if (restarts !== undefined) return restarts;
  const createdI = timeMs(pi.metadata.creationTimestamp);
  const createdJ = timeMs(pj.metadata.creationTimestamp);
  if (createdI !== createdJ) return newerFirst(pi, pj, createdI, createdJ, nowMs);
  return false;
}

/** Zero time first, then the later time, compared in log2 buckets of age (ties by UID). */
function newerFirst(pi: Pod, pj: Pod, ti: number | undefined, tj: number | undefined, nowMs: number): boolean {
  if (ti === undefined || tj === undefined) return ti === undefined;
  const diff = logarithmicRank(ti, nowMs) - logarithmicRank(tj, nowMs);
  if (diff === 0) return (pi.metadata.uid ?? "") < (pj.metadata.uid ?? "");
  return diff < 0;
}

/** floor(log2(age in nanoseconds)), -1 for a time not in the past (upstream logarithmicRankDiff). */
function logarithmicRank(atMs: number, nowMs: number): number {
  const ageNs = (nowMs - atMs) * 1e6;
  return ageNs > 0 ? Math.floor(Math.log2(ageNs)) : -1;
}

/** The pod-deletion-cost annotation as an int32; 0 when absent or invalid. */
function deletionCost(pod: Pod): number {
  const raw = pod.metadata.annotations?.[POD_DELETION_COST];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) return 0;
  const value = Number(raw);
  return value >= -2147483648 && value <= 2147483647 ? value : 0;
}

/** More restarts sort first: regular containers, then restartable init containers (sidecars). */
function compareMaxContainerRestarts(pi: Pod, pj: Pod): boolean | undefined {
  const [regularI, sidecarI] = maxContainerRestarts(pi);
  const [regularJ, sidecarJ] = maxContainerRestarts(pj);
  if (regularI !== regularJ) return regularI > regularJ;
  if (sidecarI !== sidecarJ) return sidecarI > sidecarJ;
  return undefined;
}

function maxContainerRestarts(pod: Pod): [number, number] {
  const regular = Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((c) => c.name));
  const sidecarStatuses = (pod.status?.initContainerStatuses ?? []).filter((c) => sidecars.has(c.name ?? ""));
  return [regular, Math.max(0, ...sidecarStatuses.map((c) => c.restartCount ?? 0))];
}
