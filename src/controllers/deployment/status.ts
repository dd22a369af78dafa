// A Deployment's status as upstream's calculateStatus derives it from its ReplicaSets: replicas,
// updatedReplicas (the new ReplicaSet's), ready, available and unavailable counts, the observed
// generation, collisionCount, and the Available condition (MinimumReplicasAvailable while at least
// replicas - maxUnavailable pods are available). Counts of zero are left out, as upstream's
// omitempty fields are on the wire.
import type { ReplicaSet } from "../replicaset/objects.js";
import { newDeploymentCondition, setDeploymentCondition } from "./conditions.js";
import {
  DeploymentAvailable, MinimumReplicasAvailable, MinimumReplicasUnavailable, desiredReplicas, type Deployment, type DeploymentContext,
  type DeploymentStatus,
} from "./objects.js";
import { canonicalJson } from "../canonical-json.js";
import { getActualReplicaCountForReplicaSets, getAvailableReplicaCountForReplicaSets, getReadyReplicaCountForReplicaSets, getReplicaCountForReplicaSets, normalize } from "./replica-sets.js";
import { maxUnavailable } from "./rollout-limits.js";
import { updateDeploymentStatus } from "./writes.js";

export function calculateStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, nowMs: number): DeploymentStatus {
  const available = getAvailableReplicaCountForReplicaSets(allRSs);
  const total = getReplicaCountForReplicaSets(allRSs);
  const status: DeploymentStatus = omitZero({
    observedGeneration: d.metadata.generation,
    replicas: getActualReplicaCountForReplicaSets(allRSs),
    updatedReplicas: getActualReplicaCountForReplicaSets([newRS]),
    readyReplicas: getReadyReplicaCountForReplicaSets(allRSs),
    availableReplicas: available,
    // More available than desired happens while scaling down: never negative.
    unavailableReplicas: Math.max(0, total - available),
    collisionCount: d.status.collisionCount,
  });
  if (d.status.conditions) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setDeploymentCondition(status, newDeploymentCondition(nowMs, DeploymentAvailable, "True", MinimumReplicasAvailable, "Deployment has minimum availability."));
  } else {
    setDeploymentCondition(status, newDeploymentCondition(nowMs, DeploymentAvailable, "False", MinimumReplicasUnavailable, "Deployment does not have minimum availability."));
  }
  return status;
}

function omitZero(status: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = {};
  for (const [key, value] of Object.entries(status) as [keyof DeploymentStatus, number | undefined][]) {
    if (value !== undefined && value !== 0) (out as Record<string, unknown>)[key] = value;
  }
  if (status.collisionCount !== undefined) out.collisionCount = status.collisionCount;
  return out;
}

/** reflect.DeepEqual of two statuses (absent, null and empty treated alike). */
export function statusEqual(a: DeploymentStatus, b: DeploymentStatus): boolean {
  return canonicalJson(normalize(a) ?? {}) === canonicalJson(normalize(b) ?? {});
}

/** syncDeploymentStatus: writes the calculated status if it differs from the stored one. */
export async function syncDeploymentStatus(dc: DeploymentContext, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
  const newStatus = calculateStatus(allRSs, newRS, d, dc.clock.now());
  if (statusEqual(d.status, newStatus)) return;
  d.status = newStatus;
  await updateDeploymentStatus(dc, d);
}
