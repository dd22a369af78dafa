// Rollout progress (upstream progress.go and deployment/util): syncRolloutStatus writes the status
// of a Deployment during a rollout with its Progressing condition: NewReplicaSetAvailable once
// complete, ReplicaSetUpdated whenever pods moved forward (refreshing lastUpdateTime), and
// ProgressDeadlineExceeded when nothing moved for progressDeadlineSeconds. ReplicaSet
// ReplicaFailure conditions surface on the Deployment. While a rollout is stuck the sync asks to
// run again when the deadline would pass (requeueStuckDeployment).
import { goQuote } from "../../api/validation/go-quote.js";
import type { ReconcileResult } from "../../client/controller.js";
import type { ReplicaSet } from "../replicaset/objects.js";
import { timeMs } from "../../api/meta-time.js";
import { getDeploymentCondition, newDeploymentCondition, removeDeploymentCondition, replicaSetToDeploymentCondition, setDeploymentCondition } from "./conditions.js";
import {
  DeploymentProgressing, DeploymentReplicaFailure, NewRSAvailableReason, ReplicaSetUpdatedReason, TimedOutReason, desiredReplicas, hasProgressDeadline,
  type Deployment, type DeploymentCondition, type DeploymentContext, type DeploymentStatus,
} from "./objects.js";
import { calculateStatus, statusEqual } from "./status.js";
import { updateDeploymentStatus } from "./writes.js";

/** syncRolloutStatus: status plus the Progressing and ReplicaFailure conditions. */
export async function syncRolloutStatus(dc: DeploymentContext, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<ReconcileResult> {
  const nowMs = dc.clock.now();
  const newStatus = calculateStatus(allRSs, newRS, d, nowMs);
  if (!hasProgressDeadline(d)) removeDeploymentCondition(newStatus, DeploymentProgressing);
  const currentCond = getDeploymentCondition(d.status, DeploymentProgressing);
  const isCompleteDeployment = newStatus.replicas === newStatus.updatedReplicas && currentCond?.reason === NewRSAvailableReason;
  if (hasProgressDeadline(d) && !isCompleteDeployment) updateProgressingCondition(d, newStatus, newRS, currentCond, nowMs);
  const failure = getReplicaFailures(allRSs, newRS)[0];
  if (failure) setDeploymentCondition(newStatus, failure);
  else removeDeploymentCondition(newStatus, DeploymentReplicaFailure);
  if (statusEqual(d.status, newStatus)) return requeueStuckDeployment(d, newStatus, nowMs);
  d.status = newStatus;
  await updateDeploymentStatus(dc, d);
  return undefined;
}

function updateProgressingCondition(d: Deployment, newStatus: DeploymentStatus, newRS: ReplicaSet | undefined, currentCond: DeploymentCondition | undefined, nowMs: number): void {
  const subject = newRS ? `ReplicaSet ${goQuote(newRS.metadata.name ?? "")}` : `Deployment ${goQuote(d.metadata.name ?? "")}`;
  if (deploymentComplete(d, newStatus)) {
    setDeploymentCondition(newStatus, newDeploymentCondition(nowMs, DeploymentProgressing, "True", NewRSAvailableReason, `${subject} has successfully progressed.`));
  } else if (deploymentProgressing(d, newStatus)) {
    // Progress refreshes lastUpdateTime even with an unchanged reason; a True condition keeps its transition time.
    const condition = newDeploymentCondition(nowMs, DeploymentProgressing, "True", ReplicaSetUpdatedReason, `${subject} is progressing.`);
    if (currentCond?.status === "True") condition.lastTransitionTime = currentCond.lastTransitionTime;
    if (currentCond) removeDeploymentCondition(newStatus, DeploymentProgressing);
    setDeploymentCondition(newStatus, condition);
  } else if (deploymentTimedOut(d, newStatus, nowMs)) {
    setDeploymentCondition(newStatus, newDeploymentCondition(nowMs, DeploymentProgressing, "False", TimedOutReason, `${subject} has timed out progressing.`));
  }
}

/** getReplicaFailures: the new ReplicaSet's ReplicaFailure conditions, else any old one's. */
function getReplicaFailures(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentCondition[] {
  const failuresOf = (rs: ReplicaSet | undefined) => (rs?.status?.conditions ?? []).filter((c) => c.type === DeploymentReplicaFailure).map(replicaSetToDeploymentCondition);
  const own = failuresOf(newRS);
  return own.length > 0 ? own : allRSs.flatMap(failuresOf);
}

/** DeploymentComplete: every replica updated and available, and the latest generation observed. */
export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const replicas = desiredReplicas(d);
  return (status.updatedReplicas ?? 0) === replicas && (status.replicas ?? 0) === replicas && (status.availableReplicas ?? 0) === replicas && (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated, ready or available pods, or fewer old ones, than last written. */
function deploymentProgressing(d: Deployment, status: DeploymentStatus): boolean {
  const old = d.status;
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** DeploymentTimedOut: the Progressing condition was last updated more than the deadline ago. */
function deploymentTimedOut(d: Deployment, status: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = getDeploymentCondition(status, DeploymentProgressing);
  if (!condition || condition.reason === NewRSAvailableReason) return false;
  if (condition.reason === TimedOutReason) return true;
  const from = timeMs(condition.lastUpdateTime) ?? 0;
  return from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 < nowMs;
}

/** requeueStuckDeployment: look again when the progress deadline would pass (plus a second). */
function requeueStuckDeployment(d: Deployment, newStatus: DeploymentStatus, nowMs: number): ReconcileResult {
  const currentCond = getDeploymentCondition(d.status, DeploymentProgressing);
  if (!hasProgressDeadline(d) || !currentCond) return undefined;
  if (deploymentComplete(d, newStatus) || currentCond.reason === TimedOutReason) return undefined;
  const after = (timeMs(currentCond.lastUpdateTime) ?? 0) + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - nowMs;
  // Upstream requeues at once (rate limited) when less than a second is left.
  return { requeueAfterMs: after < 1000 ? Math.max(after, 0) + 100 : after + 1000 };
}
