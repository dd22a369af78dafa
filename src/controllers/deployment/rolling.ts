// The RollingUpdate strategy (upstream rolling.go): each sync either scales the new ReplicaSet up
// (never past replicas + maxSurge pods in total) or scales old ReplicaSets down (never below
// replicas - maxUnavailable available pods; old pods that are not available go first, since
// removing them costs no availability), then writes status with the Progressing condition. A
// complete rollout prunes old ReplicaSets past revisionHistoryLimit.
import type { ReconcileResult } from "../../client/controller.js";
import type { ReplicaSet } from "../replicaset/objects.js";
import { getAllReplicaSetsAndSyncRevision } from "./new-replica-set.js";
import { desiredReplicas, rsReplicas, type Deployment, type DeploymentContext } from "./objects.js";
import { deploymentComplete, syncRolloutStatus } from "./progress.js";
import { byCreationTimestamp, filterActiveReplicaSets, getAvailableReplicaCountForReplicaSets, getReplicaCountForReplicaSets, sortReplicaSets } from "./replica-sets.js";
import { maxUnavailable, newRSNewReplicas } from "./rollout-limits.js";
import { cleanupDeployment, scaleReplicaSetAndRecordEvent } from "./sync.js";

/** rolloutRolling: one step of a rolling update. */
export async function rolloutRolling(dc: DeploymentContext, d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, true);
  if (!newRS) throw new Error(`no new replica set for deployment ${d.metadata.namespace}/${d.metadata.name}`);
  const allRSs = [...oldRSs, newRS];
  if (await reconcileNewReplicaSet(dc, allRSs, newRS, d)) return syncRolloutStatus(dc, allRSs, newRS, d);
  if (await reconcileOldReplicaSets(dc, allRSs, filterActiveReplicaSets(oldRSs), newRS, d)) return syncRolloutStatus(dc, allRSs, newRS, d);
  if (deploymentComplete(d, d.status)) await cleanupDeployment(dc, oldRSs, d);
  return syncRolloutStatus(dc, allRSs, newRS, d);
}

/** reconcileNewReplicaSet: scales the new ReplicaSet towards spec.replicas within maxSurge. */
export async function reconcileNewReplicaSet(dc: DeploymentContext, allRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  const replicas = desiredReplicas(d);
  if (rsReplicas(newRS) === replicas) return false;
  if (rsReplicas(newRS) > replicas) return (await scaleReplicaSetAndRecordEvent(dc, newRS, replicas, d))[0];
  return (await scaleReplicaSetAndRecordEvent(dc, newRS, newRSNewReplicas(d, allRSs, newRS), d))[0];
}

/**
 * reconcileOldReplicaSets: scales old ReplicaSets down by at most
 * allPods - minAvailable - (new ReplicaSet's unavailable pods): unhealthy replicas first.
 */
export async function reconcileOldReplicaSets(dc: DeploymentContext, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  if (getReplicaCountForReplicaSets(oldRSs) === 0) return false;
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newRSUnavailablePodCount = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = getReplicaCountForReplicaSets(allRSs) - minAvailable - newRSUnavailablePodCount;
  if (maxScaledDown <= 0) return false;
  // Upstream logs and reports "nothing scaled" when these fail; the next sync retries.
  try {
    const [cleaned, cleanupCount] = await cleanupUnhealthyReplicas(dc, oldRSs, d, maxScaledDown);
    const scaledDownCount = await scaleDownOldReplicaSetsForRollingUpdate(dc, [...cleaned, newRS], cleaned, d);
    return cleanupCount + scaledDownCount > 0;
  } catch (err) {
    dc.log.warn("scaling down old replica sets failed", { deployment: `${d.metadata.namespace}/${d.metadata.name}`, err });
    return false;
  }
}

/** cleanupUnhealthyReplicas: removes old replicas that are not available, oldest ReplicaSets first. */
async function cleanupUnhealthyReplicas(dc: DeploymentContext, oldRSs: ReplicaSet[], d: Deployment, maxCleanupCount: number): Promise<[ReplicaSet[], number]> {
  const sorted = sortReplicaSets([...oldRSs], byCreationTimestamp);
  let totalScaledDown = 0;
  for (const [i, target] of sorted.entries()) {
    if (totalScaledDown >= maxCleanupCount) break;
    const available = target.status?.availableReplicas ?? 0;
    if (rsReplicas(target) === 0 || rsReplicas(target) === available) continue;
    const scaledDownCount = Math.min(maxCleanupCount - totalScaledDown, rsReplicas(target) - available);
    const [, updated] = await scaleReplicaSetAndRecordEvent(dc, target, rsReplicas(target) - scaledDownCount, d);
    totalScaledDown += scaledDownCount;
    sorted[i] = updated;
  }
  return [sorted, totalScaledDown];
}

/** scaleDownOldReplicaSetsForRollingUpdate: scales old ReplicaSets down while availability stays above minAvailable. */
async function scaleDownOldReplicaSetsForRollingUpdate(dc: DeploymentContext, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], d: Deployment): Promise<number> {
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const availablePodCount = getAvailableReplicaCountForReplicaSets(allRSs);
  if (availablePodCount <= minAvailable) return 0;
  const totalScaleDownCount = availablePodCount - minAvailable;
  let totalScaledDown = 0;
  for (const target of sortReplicaSets([...oldRSs], byCreationTimestamp)) {
    if (totalScaledDown >= totalScaleDownCount) break;
    if (rsReplicas(target) === 0) continue;
    const scaleDownCount = Math.min(rsReplicas(target), totalScaleDownCount - totalScaledDown);
    await scaleReplicaSetAndRecordEvent(dc, target, rsReplicas(target) - scaleDownCount, d);
    totalScaledDown += scaleDownCount;
  }
  return totalScaledDown;
}
