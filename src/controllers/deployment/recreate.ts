// The Recreate strategy (upstream recreate.go): scale every old ReplicaSet to zero, wait until none
// of their pods is left running (terminal pods do not count; Unknown ones do), only then create or
// scale up the new ReplicaSet to spec.replicas. A complete rollout prunes old ReplicaSets past
// revisionHistoryLimit.
import type { ReconcileResult } from "../../client/controller.js";
import type { Pod } from "../pods.js";
import type { ReplicaSet } from "../replicaset/objects.js";
import { getAllReplicaSetsAndSyncRevision } from "./new-replica-set.js";
import { desiredReplicas, rsReplicas, type Deployment, type DeploymentContext } from "./objects.js";
import { deploymentComplete, syncRolloutStatus } from "./progress.js";
import { filterActiveReplicaSets, getActualReplicaCountForReplicaSets } from "./replica-sets.js";
import { cleanupDeployment, scaleReplicaSetAndRecordEvent } from "./sync.js";

/** Pods by the uid of the ReplicaSet controlling them (getPodMapForDeployment). */
export type PodMap = ReadonlyMap<string, readonly Pod[]>;

export async function rolloutRecreate(dc: DeploymentContext, d: Deployment, rsList: ReplicaSet[], podMap: PodMap): Promise<ReconcileResult> {
  // Never create the new ReplicaSet before the old ones are down.
  let [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  let allRSs = [...oldRSs, newRS];
  if (await scaleDownOldReplicaSetsForRecreate(dc, filterActiveReplicaSets(oldRSs), d)) return syncRolloutStatus(dc, allRSs, newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(dc, allRSs, newRS, d);
  if (!newRS) {
    [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, true);
    allRSs = [...oldRSs, newRS];
  }
  if (newRS) await scaleReplicaSetAndRecordEvent(dc, newRS, desiredReplicas(d), d);
  if (deploymentComplete(d, d.status)) await cleanupDeployment(dc, oldRSs, d);
  return syncRolloutStatus(dc, allRSs, newRS, d);
}

async function scaleDownOldReplicaSetsForRecreate(dc: DeploymentContext, oldRSs: ReplicaSet[], d: Deployment): Promise<boolean> {
  let scaled = false;
  for (const rs of oldRSs) {
    if (rsReplicas(rs) === 0) continue;
    if ((await scaleReplicaSetAndRecordEvent(dc, rs, 0, d))[0]) scaled = true;
  }
  return scaled;
}

/** oldPodsRunning: an old ReplicaSet still reports pods, or one of its pods is not terminal. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podMap: PodMap): boolean {
  if (getActualReplicaCountForReplicaSets(oldRSs) > 0) return true;
  for (const [rsUid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === rsUid) continue;
    if (pods.some((pod) => pod.status?.phase !== "Failed" && pod.status?.phase !== "Succeeded")) return true;
  }
  return false;
}
