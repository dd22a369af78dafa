// Syncs that do not roll anything out (upstream sync.go): `sync` for scaling events and paused
// Deployments (scale ReplicaSets, proportionally while a rollout is under way; prune history when
// paused), `syncStatusOnly` for Deployments being deleted, the paused/resumed Progressing
// condition, `isScalingEvent`, scaling a ReplicaSet with upstream's ScalingReplicaSet events, and
// `cleanupDeployment`, which keeps revisionHistoryLimit old ReplicaSets.
import { StatusError } from "../../api/errors.js";
import type { ReplicaSet } from "../replicaset/objects.js";
import { getDesiredReplicasAnnotation, replicasAnnotationsNeedUpdate, setReplicasAnnotations } from "./annotations.js";
import { getDeploymentCondition, newDeploymentCondition, setDeploymentCondition } from "./conditions.js";
import { getAllReplicaSetsAndSyncRevision } from "./new-replica-set.js";
import {
  DeploymentProgressing, PausedDeployReason, ResumedDeployReason, ScalingReplicaSet, TimedOutReason, desiredReplicas, hasProgressDeadline,
  hasRevisionHistoryLimit, isRollingUpdate, rsReplicas, type Deployment, type DeploymentContext,
} from "./objects.js";
import { byRevision, bySizeNewer, bySizeOlder, filterActiveReplicaSets, findActiveOrLatest, getReplicaCountForReplicaSets, isSaturated, sortReplicaSets } from "./replica-sets.js";
import { getProportion, maxSurge } from "./rollout-limits.js";
import { syncDeploymentStatus } from "./status.js";
import { REPLICASETS, updateDeploymentStatus, updateReplicaSet } from "./writes.js";

/** syncStatusOnly: status from the ReplicaSets, no other change. */
export async function syncStatusOnly(dc: DeploymentContext, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  await syncDeploymentStatus(dc, [...oldRSs, newRS], newRS, d);
}

/** sync: reconciles a scaling event or a paused Deployment. */
export async function sync(dc: DeploymentContext, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  await scale(dc, d, newRS, oldRSs);
  // Rollbacks through the deprecated annotation are not supported, so none can be in flight.
  if (d.spec.paused) await cleanupDeployment(dc, oldRSs, d);
  await syncDeploymentStatus(dc, [...oldRSs, newRS], newRS, d);
}

/** checkPausedConditions: Progressing Unknown DeploymentPaused / DeploymentResumed, unless timed out. */
export async function checkPausedConditions(dc: DeploymentContext, d: Deployment): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cond = getDeploymentCondition(d.status, DeploymentProgressing);
  if (cond?.reason === TimedOutReason) return;
  const pausedCondExists = cond?.reason === PausedDeployReason;
  const now = dc.clock.now();
  if (d.spec.paused && !pausedCondExists) {
    setDeploymentCondition(d.status, newDeploymentCondition(now, DeploymentProgressing, "Unknown", PausedDeployReason, "Deployment is paused"));
  } else if (!d.spec.paused && pausedCondExists) {
    setDeploymentCondition(d.status, newDeploymentCondition(now, DeploymentProgressing, "Unknown", ResumedDeployReason, "Deployment is resumed"));
  } else {
    return;
  }
  await updateDeploymentStatus(dc, d);
}

/** isScalingEvent: an active ReplicaSet was sized for another spec.replicas. */
export async function isScalingEvent(dc: DeploymentContext, d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  return filterActiveReplicaSets([...oldRSs, newRS]).some((rs) => {
    const desired = getDesiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== desiredReplicas(d);
  });
}

/** scale: the only active ReplicaSet takes all replicas; else old ones go when the new one is saturated; else proportionally. */
export async function scale(dc: DeploymentContext, d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (rsReplicas(activeOrLatest) !== desiredReplicas(d)) await scaleReplicaSetAndRecordEvent(dc, activeOrLatest, desiredReplicas(d), d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActiveReplicaSets(oldRSs)) await scaleReplicaSetAndRecordEvent(dc, old, 0, d);
    return;
  }
  if (isRollingUpdate(d)) await scaleProportionally(dc, d, newRS, oldRSs);
}

/** Spreads the replicas to add (or remove) over the active ReplicaSets by their size. */
async function scaleProportionally(dc: DeploymentContext, d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const allRSs = filterActiveReplicaSets([...oldRSs, newRS]);
  const allowedSize = desiredReplicas(d) > 0 ? desiredReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowedSize - getReplicaCountForReplicaSets(allRSs);
  if (toAdd > 0) sortReplicaSets(allRSs, bySizeNewer);
  else if (toAdd < 0) sortReplicaSets(allRSs, bySizeOlder);
  let added = 0;
  const sizes = allRSs.map((rs) => {
    if (toAdd === 0) return rsReplicas(rs);
    const proportion = getProportion(rs, d, toAdd, added);
    added += proportion;
    return rsReplicas(rs) + proportion;
  });
  // Leftovers go to the largest ReplicaSet.
  if (toAdd !== 0 && sizes.length > 0) sizes[0] = Math.max(0, (sizes[0] ?? 0) + toAdd - added);
  for (const [i, rs] of allRSs.entries()) await scaleReplicaSet(dc, rs, sizes[i] ?? 0, d);
}

export async function scaleReplicaSetAndRecordEvent(dc: DeploymentContext, rs: ReplicaSet, newScale: number, d: Deployment): Promise<[boolean, ReplicaSet]> {
  if (rsReplicas(rs) === newScale) return [false, rs];
  return scaleReplicaSet(dc, rs, newScale, d);
}

/** Sets the size and replicas annotations; records "Scaled up|down replica set x from a to b". */
export async function scaleReplicaSet(dc: DeploymentContext, rs: ReplicaSet, newScale: number, d: Deployment): Promise<[boolean, ReplicaSet]> {
  const desired = desiredReplicas(d);
  const max = desired + maxSurge(d);
  const sizeNeedsUpdate = rsReplicas(rs) !== newScale;
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return [false, rs];
  const oldScale = rsReplicas(rs);
  const copy = structuredClone(rs);
  copy.spec.replicas = newScale;
  setReplicasAnnotations(copy, desired, max);
  const updated = await updateReplicaSet(dc, copy);
  if (sizeNeedsUpdate) {
    const operation = oldScale < newScale ? "up" : "down";
    await dc.recorder.event(d, "Normal", ScalingReplicaSet, `Scaled ${operation} replica set ${rs.metadata.name ?? ""} from ${oldScale} to ${newScale}`);
  }
  return [sizeNeedsUpdate, updated];
}

/** cleanupDeployment: deletes the oldest empty old ReplicaSets beyond revisionHistoryLimit. */
export async function cleanupDeployment(dc: DeploymentContext, oldRSs: readonly ReplicaSet[], d: Deployment): Promise<void> {
  if (!hasRevisionHistoryLimit(d)) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = cleanable.length - (d.spec.revisionHistoryLimit ?? 0);
  if (diff <= 0) return;
  sortReplicaSets(cleanable, byRevision);
  for (const rs of cleanable.slice(0, diff)) {
    // Never a ReplicaSet that still has or wants pods, or whose controller has not caught up.
    const observed = (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0);
    if ((rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0 || !observed) continue;
    try {
      await dc.client.delete(REPLICASETS, rs.metadata.namespace, rs.metadata.name ?? "");
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
}
