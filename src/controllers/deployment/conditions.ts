// Deployment conditions as upstream's deployment/util manages them: setting a condition whose
// status and reason are unchanged is a no-op (the old message and times stay); a new reason with the
// same status keeps lastTransitionTime. ReplicaSet ReplicaFailure conditions surface on the
// Deployment with lastUpdateTime = lastTransitionTime.
import type { ReplicaSetCondition } from "../replicaset/objects.js";
import { rfc3339 } from "../../api/meta-time.js";
import type { DeploymentCondition, DeploymentStatus } from "./objects.js";

export function newDeploymentCondition(nowMs: number, type: string, status: DeploymentCondition["status"], reason: string, message: string): DeploymentCondition {
  const now = rfc3339(nowMs);
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

export function getDeploymentCondition(status: DeploymentStatus, type: string): DeploymentCondition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

/** SetDeploymentCondition: replaces the condition of that type (appended last), unless unchanged. */
export function setDeploymentCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getDeploymentCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...filterOutCondition(status.conditions, condition.type), next];
}

export function removeDeploymentCondition(status: DeploymentStatus, type: string): void {
  const remaining = filterOutCondition(status.conditions, type);
  if (remaining.length > 0) status.conditions = remaining;
  else delete status.conditions;
}

function filterOutCondition(conditions: DeploymentCondition[] | undefined, type: string): DeploymentCondition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export function replicaSetToDeploymentCondition(cond: ReplicaSetCondition): DeploymentCondition {
  const out: DeploymentCondition = { type: cond.type, status: cond.status, lastUpdateTime: cond.lastTransitionTime, lastTransitionTime: cond.lastTransitionTime };
  if (cond.reason) out.reason = cond.reason;
  if (cond.message) out.message = cond.message;
  return out;
}
