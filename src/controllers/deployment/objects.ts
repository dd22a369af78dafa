// Typed views of apps/v1 Deployment for the deployment controller, upstream's annotation keys and
// condition reasons (pkg/controller/deployment/util), and the context every phase of a sync gets.
// Deployments come from the informer, defaulted by the API server (strategy, revisionHistoryLimit,
// progressDeadlineSeconds...). A sync works on its own deep copy (`d`), which phases update as
// upstream's do; cached objects are never mutated.
import type { LabelSelectorObject } from "../../api/label-selector.js";
import type { KubeObject, ObjectMeta } from "../../api/resource.js";
import type { Client } from "../../client/client.js";
import type { Clock } from "../../client/clock.js";
import type { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import type { Logger } from "../../log.js";
import type { PodTemplate } from "../pods.js";
import type { ReplicaSet } from "../replicaset/objects.js";

export const RevisionAnnotation = "deployment.kubernetes.io/revision";
export const RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
export const DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
export const MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
/** apps.DefaultDeploymentUniqueLabelKey. */
export const PodTemplateHashLabel = "pod-template-hash";
/** apps.DeprecatedRollbackTo: never copied to ReplicaSets. */
export const DeprecatedRollbackTo = "deprecated.deployment.rollback.to";
export const LastAppliedConfigAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

// Event reasons and condition reasons (deployment/util and the controller).
export const ScalingReplicaSet = "ScalingReplicaSet";
export const SelectingAll = "SelectingAll";
export const ReplicaSetUpdatedReason = "ReplicaSetUpdated";
export const FailedRSCreateReason = "ReplicaSetCreateError";
export const NewReplicaSetReason = "NewReplicaSetCreated";
export const FoundNewRSReason = "FoundNewReplicaSet";
export const NewRSAvailableReason = "NewReplicaSetAvailable";
export const TimedOutReason = "ProgressDeadlineExceeded";
export const PausedDeployReason = "DeploymentPaused";
export const ResumedDeployReason = "DeploymentResumed";
export const MinimumReplicasAvailable = "MinimumReplicasAvailable";
export const MinimumReplicasUnavailable = "MinimumReplicasUnavailable";

export const DeploymentAvailable = "Available";
export const DeploymentProgressing = "Progressing";
export const DeploymentReplicaFailure = "ReplicaFailure";

const MAX_INT32 = 2147483647;

export interface DeploymentCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export interface RollingUpdate {
  maxSurge?: number | string;
  maxUnavailable?: number | string;
}

export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelectorObject;
  template?: PodTemplate;
  strategy?: { type?: string; rollingUpdate?: RollingUpdate };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

export interface Deployment extends KubeObject {
  metadata: ObjectMeta;
  spec: DeploymentSpec;
  status: DeploymentStatus;
}

/** What the phases of a sync use: the controller's client, recorder, clock and caches. */
export interface DeploymentContext {
  client: Client;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  rsInformer: Informer;
}

/** *(d.Spec.Replicas): defaulted to 1 by the API server. */
export function desiredReplicas(d: Deployment): number {
  return d.spec.replicas ?? 1;
}

/** *(rs.Spec.Replicas). */
export function rsReplicas(rs: ReplicaSet): number {
  return rs.spec.replicas ?? 0;
}

export function isRollingUpdate(d: Deployment): boolean {
  return d.spec.strategy?.type === "RollingUpdate";
}

export function hasProgressDeadline(d: Deployment): boolean {
  return d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== MAX_INT32;
}

export function hasRevisionHistoryLimit(d: Deployment): boolean {
  return d.spec.revisionHistoryLimit !== undefined && d.spec.revisionHistoryLimit !== MAX_INT32;
}
