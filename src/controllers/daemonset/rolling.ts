// The RollingUpdate strategy of a DaemonSet (upstream update.go rollingUpdate): which old pods to
// delete and on which nodes to start new pods, staying within maxUnavailable or maxSurge. Pure: the
// caller carries the plan out through syncNodes. Both limits are resolved against the number of
// nodes that should run the pod (percentages round up); both zero means one unavailable.
// - maxSurge 0: delete old pods while the unavailable count stays within maxUnavailable (old pods
//   that are unavailable anyway are always replaced); manage then creates the new pods.
// - maxSurge > 0: start a new pod beside an old one on up to maxSurge nodes (at once where the old
//   pod is unavailable); delete the old pod once the new one is available.
import { getValueFromIntOrPercent } from "../int-or-percent.js";
import { isPodAvailable } from "../pods.js";
import { nodeShouldRunDaemonPod } from "./node-should-run.js";
import { getTemplateGeneration, type DaemonPod, type DaemonSet, type Node, type NodeToDaemonPods } from "./objects.js";
import { isPodUpdated } from "./pod-template.js";

export interface RollingPlan {
  podsToDelete: string[];
  nodesToCreate: string[];
}

interface Counts {
  maxSurge: number;
  maxUnavailable: number;
  desiredNumberScheduled: number;
}

/** util.SurgeCount: maxSurge against numberToSchedule (0 unless RollingUpdate). */
export function surgeCount(ds: DaemonSet, numberToSchedule: number): number {
  const ru = ds.spec.updateStrategy?.type === "RollingUpdate" ? ds.spec.updateStrategy.rollingUpdate : undefined;
  return ru ? getValueFromIntOrPercent(ru.maxSurge, numberToSchedule, true) : 0;
}

/** util.UnavailableCount: maxUnavailable against numberToSchedule (0 unless RollingUpdate). */
export function unavailableCount(ds: DaemonSet, numberToSchedule: number): number {
  const ru = ds.spec.updateStrategy?.type === "RollingUpdate" ? ds.spec.updateStrategy.rollingUpdate : undefined;
  return ru ? getValueFromIntOrPercent(ru.maxUnavailable, numberToSchedule, true) : 0;
}

/** util.AllowsSurge. */
export function allowsSurge(ds: DaemonSet): boolean {
  return surgeCount(ds, 1) !== 0;
}

/**
 * updatedDesiredNodeCounts: the limits, and nodeToDaemonPods extended with an empty entry for
 * every node that should run the pod and has none (returned as a new map).
 */
function updatedDesiredNodeCounts(ds: DaemonSet, nodes: readonly Node[], nodeToDaemonPods: NodeToDaemonPods): [Counts, NodeToDaemonPods] {
  const extended = new Map(nodeToDaemonPods);
  let desiredNumberScheduled = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desiredNumberScheduled++;
    const name = node.metadata.name ?? "";
    if (!extended.has(name)) extended.set(name, []);
  }
  let maxUnavailable = unavailableCount(ds, desiredNumberScheduled);
  const maxSurge = surgeCount(ds, desiredNumberScheduled);
  // An impossible configuration (both zero) obeys the default: one unavailable.
  if (desiredNumberScheduled > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return [{ maxSurge, maxUnavailable, desiredNumberScheduled }, extended];
}

/**
 * findUpdatedPodsOnNode: the node's one new and one old pod (either may be missing), or undefined
 * when there are several of a kind (manage prunes those first). Terminating pods are ignored.
 */
export function findUpdatedPodsOnNode(ds: DaemonSet, pods: readonly DaemonPod[], hash: string): { newPod?: DaemonPod; oldPod?: DaemonPod } | undefined {
  const generation = getTemplateGeneration(ds);
  let newPod: DaemonPod | undefined;
  let oldPod: DaemonPod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

/** rollingUpdate's plan. */
export function rollingUpdate(ds: DaemonSet, nodes: readonly Node[], nodeToDaemonPods: NodeToDaemonPods, hash: string, nowMs: number): RollingPlan {
  const [counts, byNode] = updatedDesiredNodeCounts(ds, nodes, nodeToDaemonPods);
  const available = (pod: DaemonPod) => isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, nowMs);
  if (counts.maxSurge === 0) return { podsToDelete: replaceWithoutSurge(ds, byNode, hash, counts, available), nodesToCreate: [] };
  const nodesByName = new Map(nodes.map((n) => [n.metadata.name ?? "", n]));
  const shouldRun = (name: string) => {
    const node = nodesByName.get(name);
    return node !== undefined && nodeShouldRunDaemonPod(node, ds).shouldRun;
  };
  return replaceWithSurge({ ds, byNode, hash, counts, available, shouldRun });
}

/** Without surge: old pods to delete, within maxUnavailable. */
function replaceWithoutSurge(ds: DaemonSet, byNode: NodeToDaemonPods, hash: string, counts: Counts, available: (pod: DaemonPod) => boolean): string[] {
  let numUnavailable = 0;
  const allowedReplacementPods: string[] = [];
  const candidatePodsToDelete: string[] = [];
  for (const pods of byNode.values()) {
    const found = findUpdatedPodsOnNode(ds, pods, hash);
    // Excess pods (manage cleans them up) and nodes with both or neither count as unavailable.
    if (!found || (found.newPod === undefined) === (found.oldPod === undefined)) {
      numUnavailable++;
      continue;
    }
    if (found.newPod) {
      if (!available(found.newPod)) numUnavailable++;
      continue;
    }
    const oldPod = found.oldPod as DaemonPod;
    if (!available(oldPod)) {
      // An old pod that is unavailable anyway is replaced at once.
      allowedReplacementPods.push(oldPod.metadata.name ?? "");
      numUnavailable++;
    } else if (numUnavailable < counts.maxUnavailable) {
      candidatePodsToDelete.push(oldPod.metadata.name ?? "");
    }
  }
  const remaining = Math.min(Math.max(counts.maxUnavailable - numUnavailable, 0), candidatePodsToDelete.length);
  return [...allowedReplacementPods, ...candidatePodsToDelete.slice(0, remaining)];
}

interface SurgeInput {
  ds: DaemonSet;
  byNode: NodeToDaemonPods;
  hash: string;
  counts: Counts;
  available: (pod: DaemonPod) => boolean;
  shouldRun: (nodeName: string) => boolean;
}

/** With surge: new pods beside old ones within maxSurge; old pods go once their replacement is available. */
function replaceWithSurge(input: SurgeInput): RollingPlan {
  const { ds, byNode, hash, counts, available, shouldRun } = input;
  const oldPodsToDelete: string[] = [];
  const shouldNotRunPodsToDelete: string[] = [];
  const candidateNewNodes: string[] = [];
  const allowedNewNodes: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const [nodeName, pods] of byNode) {
    const found = findUpdatedPodsOnNode(ds, pods, hash);
    if (!found) {
      numSurge++;
      continue;
    }
    const { newPod, oldPod } = found;
    const counted = oldPod ?? newPod;
    if (counted && available(counted)) numAvailable++;
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) {
        if (shouldRun(nodeName)) allowedNewNodes.push(nodeName);
        else oldPodsToDelete.push(oldPod.metadata.name ?? "");
      } else if (!shouldRun(nodeName)) {
        shouldNotRunPodsToDelete.push(oldPod.metadata.name ?? "");
      } else if (numSurge < counts.maxSurge) {
        candidateNewNodes.push(nodeName);
      }
      continue;
    }
    // Already surged here: wait for the new pod, then retire the old one.
    if (!available(newPod)) numSurge++;
    else oldPodsToDelete.push(oldPod.metadata.name ?? "");
  }
  // With surge the owner expects full availability: pods on nodes that no longer qualify go only
  // once as many pods are available elsewhere.
  const deletable = Math.min(Math.max(numAvailable - counts.desiredNumberScheduled, 0), shouldNotRunPodsToDelete.length);
  oldPodsToDelete.push(...shouldNotRunPodsToDelete.slice(0, deletable));
  const remainingSurge = Math.min(Math.max(counts.maxSurge - numSurge, 0), candidateNewNodes.length);
  return { podsToDelete: oldPodsToDelete, nodesToCreate: [...allowedNewNodes, ...candidateNewNodes.slice(0, remainingSurge)] };
}
