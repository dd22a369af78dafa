// The ReplicaSet's status as upstream computes and writes it (replica_set_utils.go):
// calculateStatus counts the active pods it controls (replicas), those carrying all the template's
// labels (fullyLabeledReplicas), ready ones and available ones (ready for minReadySeconds), and
// keeps a ReplicaFailure condition while creating or deleting pods fails. updateReplicaSetStatus
// writes it through /status (compare-and-swap) only when something changed, with
// observedGeneration set to the generation acted on; a conflict re-reads once and retries, as
// upstream's single retry does.
import { StatusError } from "../../api/errors.js";
import { LabelSelector } from "../../api/label-selector.js";
import { APPS_V1, type Client } from "../../client/client.js";
import { messageOf } from "../error-message.js";
import { isPodAvailable, isPodReady, type Pod } from "../pods.js";
import { rfc3339 } from "../../api/meta-time.js";
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from "./objects.js";

export const ReplicaFailure = "ReplicaFailure";

const REPLICASETS = APPS_V1("replicasets");

export function calculateStatus(rs: ReplicaSet, filteredPods: readonly Pod[], manageReplicasErr: unknown, nowMs: number): ReplicaSetStatus {
  const templateLabels = LabelSelector.fromSet(rs.spec.template?.metadata?.labels ?? {});
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of filteredPods) {
    if (templateLabels.matches(pod.metadata.labels)) fullyLabeled++;
    if (!isPodReady(pod)) continue;
    ready++;
    if (isPodAvailable(pod, minReadySeconds, nowMs)) available++;
  }
  const conditions = failureConditions(rs, filteredPods.length, manageReplicasErr, nowMs);
  return omitZero({
    replicas: filteredPods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.status?.observedGeneration,
    conditions: conditions.length > 0 ? conditions : undefined,
  });
}

/** Sets ReplicaFailure on a first failure (FailedCreate/FailedDelete), removes it on success. */
function failureConditions(rs: ReplicaSet, podCount: number, err: unknown, nowMs: number): ReplicaSetCondition[] {
  const conditions = [...(rs.status?.conditions ?? [])];
  const existing = conditions.find((c) => c.type === ReplicaFailure);
  if (err !== undefined && !existing) {
    const diff = podCount - (rs.spec.replicas ?? 0);
    const reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
    conditions.push({ type: ReplicaFailure, status: "True", lastTransitionTime: rfc3339(nowMs), reason, message: messageOf(err) });
    return conditions;
  }
  if (err === undefined && existing) return conditions.filter((c) => c.type !== ReplicaFailure);
  return conditions;
}

/** Upstream's wire form: replicas always, the other counts only when non-zero. */
function omitZero(status: ReplicaSetStatus): ReplicaSetStatus {
  const out: ReplicaSetStatus = { replicas: status.replicas ?? 0 };
  if (status.fullyLabeledReplicas) out.fullyLabeledReplicas = status.fullyLabeledReplicas;
  if (status.readyReplicas) out.readyReplicas = status.readyReplicas;
  if (status.availableReplicas) out.availableReplicas = status.availableReplicas;
  if (status.observedGeneration) out.observedGeneration = status.observedGeneration;
  if (status.conditions) out.conditions = status.conditions;
  return out;
}

/** Writes newStatus unless it is already the stored one; returns the ReplicaSet as stored. */
export async function updateReplicaSetStatus(client: Client, rs: ReplicaSet, newStatus: ReplicaSetStatus): Promise<ReplicaSet> {
  const status = rs.status ?? {};
  const generation = rs.metadata.generation ?? 0;
  const unchanged =
    (status.replicas ?? 0) === (newStatus.replicas ?? 0) &&
    (status.fullyLabeledReplicas ?? 0) === (newStatus.fullyLabeledReplicas ?? 0) &&
    (status.readyReplicas ?? 0) === (newStatus.readyReplicas ?? 0) &&
    (status.availableReplicas ?? 0) === (newStatus.availableReplicas ?? 0) &&
    generation === (status.observedGeneration ?? 0) &&
    JSON.stringify(status.conditions ?? []) === JSON.stringify(newStatus.conditions ?? []);
  if (unchanged) return rs;
  const desired = { ...newStatus };
  if (generation) desired.observedGeneration = generation;
  else delete desired.observedGeneration;
  let current = rs;
  for (let attempt = 0; ; attempt++) {
    try {
      return (await client.update(REPLICASETS, current.metadata.namespace, { ...current, status: desired }, { subresource: "status" })) as ReplicaSet;
    } catch (err) {
      if (attempt >= 1 || !(err instanceof StatusError) || err.code !== 409) throw err;
      current = (await client.get(REPLICASETS, rs.metadata.namespace, rs.metadata.name ?? "")) as ReplicaSet;
    }
  }
}
