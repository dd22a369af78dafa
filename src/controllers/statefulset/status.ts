// A StatefulSet's status as upstream computes and stores it (stateful_set_control.go and
// stateful_set_status_updater.go): replicas (pods created), readyReplicas (Running and Ready),
// availableReplicas (ready for minReadySeconds), currentReplicas and updatedReplicas (pods of the
// current and update revisions, not terminating), the two revision names, collisionCount and
// observedGeneration. A rolling update is complete when every one of spec.replicas pods is updated
// and ready: the current revision then becomes the update revision, which is what `kubectl rollout
// status` waits for. Written through /status only when something changed, re-reading on conflicts.
import { StatusError } from "../../api/errors.js";
import { APPS_V1, type Client } from "../../client/client.js";
import { getPodRevision, type StatefulPod, type StatefulSet, type StatefulSetStatus } from "./objects.js";
import { isCreated, isRunningAndAvailable, isRunningAndReady, isTerminating } from "./pod-state.js";

const STATEFULSETS = APPS_V1("statefulsets");
/** retry.DefaultRetry's attempts. */
const STATUS_ATTEMPTS = 5;

/** The status fields the controller computes (all present). */
export type ComputedStatus = Required<Pick<StatefulSetStatus, "observedGeneration" | "replicas" | "readyReplicas" | "currentReplicas" | "updatedReplicas" | "availableReplicas" | "currentRevision" | "updateRevision" | "collisionCount">>;

export interface StatusInput {
  minReadySeconds: number;
  currentRevision: string;
  updateRevision: string;
  nowMs: number;
}

/** updateStatus: recounts the replica fields of status over the pods (computeReplicaStatus). */
export function countReplicas(status: ComputedStatus, pods: readonly StatefulPod[], input: StatusInput): void {
  status.replicas = 0;
  status.readyReplicas = 0;
  status.availableReplicas = 0;
  status.currentReplicas = 0;
  status.updatedReplicas = 0;
  for (const pod of pods) {
    if (isCreated(pod)) status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas++;
      if (isRunningAndAvailable(pod, input.minReadySeconds, input.nowMs)) status.availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      const revision = getPodRevision(pod);
      if (revision === input.currentRevision) status.currentReplicas++;
      if (revision === input.updateRevision) status.updatedReplicas++;
    }
  }
}

/** completeRollingUpdate: every wanted pod updated and ready makes the update revision current. */
export function completeRollingUpdate(set: StatefulSet, status: ComputedStatus): void {
  const replicas = set.spec.replicas ?? 0;
  if (set.spec.updateStrategy?.type === "RollingUpdate" && status.updatedReplicas === replicas && status.readyReplicas === replicas && status.replicas === replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

/** inconsistentStatus: the stored status differs from the computed one (or lags its generation). */
export function inconsistentStatus(set: StatefulSet, status: ComputedStatus): boolean {
  const stored = set.status ?? {};
  return (
    status.observedGeneration > (stored.observedGeneration ?? 0) ||
    status.replicas !== (stored.replicas ?? 0) ||
    status.currentReplicas !== (stored.currentReplicas ?? 0) ||
    status.readyReplicas !== (stored.readyReplicas ?? 0) ||
    status.updatedReplicas !== (stored.updatedReplicas ?? 0) ||
    status.currentRevision !== (stored.currentRevision ?? "") ||
    status.availableReplicas !== (stored.availableReplicas ?? 0) ||
    status.updateRevision !== (stored.updateRevision ?? "") ||
    status.collisionCount !== (stored.collisionCount ?? 0)
  );
}

/** updateStatefulSetStatus: completes a finished rolling update, then writes the status if it changed. */
export async function updateStatefulSetStatus(client: Client, set: StatefulSet, status: ComputedStatus): Promise<void> {
  completeRollingUpdate(set, status);
  if (!inconsistentStatus(set, status)) return;
  let current = set;
  for (let attempt = 1; ; attempt++) {
    try {
      await client.update(STATEFULSETS, current.metadata.namespace, { ...current, status: { ...current.status, ...wireStatus(status) } }, { subresource: "status" });
      return;
    } catch (err) {
      if (attempt >= STATUS_ATTEMPTS || !(err instanceof StatusError && err.code === 409)) throw err;
      current = (await client.get(STATEFULSETS, set.metadata.namespace, set.metadata.name ?? "")) as StatefulSet;
    }
  }
}

/** The wire form: counts always, optional strings only when set (as Go's omitempty writes them). */
function wireStatus(status: ComputedStatus): StatefulSetStatus {
  const { currentRevision, updateRevision, ...rest } = status;
  return { ...rest, currentRevision: currentRevision || undefined, updateRevision: updateRevision || undefined };
}
