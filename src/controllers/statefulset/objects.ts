// Typed views of apps/v1 StatefulSet, its pods and claims for the StatefulSet controller, and
// upstream's label keys (apps/v1 types.go) and event reasons (stateful_pod_control.go). Objects come
// from informers, defaulted by the API server (OrderedReady, RollingUpdate with partition 0,
// retention Retain/Retain, replicas 1, revisionHistoryLimit 10); these views only name the fields
// the controller reads. Cached objects are never mutated: everything here returns new objects.
import type { LabelSelectorObject } from "../../api/label-selector.js";
import type { KubeObject, ObjectMeta } from "../../api/resource.js";
import type { Pod, PodTemplate } from "../pods.js";

/** apps.StatefulSetPodNameLabel: each pod's own name, so a Service can select exactly one pod. */
export const StatefulSetPodNameLabel = "statefulset.kubernetes.io/pod-name";
/** apps.PodIndexLabel (PodIndexLabel, on by default since 1.28): the pod's ordinal. */
export const PodIndexLabel = "apps.kubernetes.io/pod-index";
/** apps.StatefulSetRevisionLabel (= ControllerRevisionHashLabelKey): the revision name a pod was made from. */
export const StatefulSetRevisionLabel = "controller-revision-hash";

export const STS_API_VERSION = "apps/v1";
export const STS_KIND = "StatefulSet";
export const POD_KIND = "Pod";

// Event reasons besides Successful<Verb>/Failed<Verb> of pod and claim writes.
export const ConflictingController = "ConflictingController";

export type RetentionPolicyType = "Retain" | "Delete";
export type IntOrPercent = number | string;

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  availableReplicas?: number;
  conditions?: unknown[];
}

export interface StatefulSetSpec {
  replicas?: number;
  selector?: LabelSelectorObject;
  template?: PodTemplate;
  volumeClaimTemplates?: Claim[];
  serviceName?: string;
  podManagementPolicy?: "OrderedReady" | "Parallel";
  updateStrategy?: { type?: "RollingUpdate" | "OnDelete"; rollingUpdate?: { partition?: number; maxUnavailable?: IntOrPercent } };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: RetentionPolicyType; whenScaled?: RetentionPolicyType };
  ordinals?: { start?: number };
}

export interface StatefulSet extends KubeObject {
  metadata: ObjectMeta;
  spec: StatefulSetSpec;
  status?: StatefulSetStatus;
}

export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  [source: string]: unknown;
}

/** A stateful pod: the controllers' pod view plus the identity and volume fields this controller writes. */
export type StatefulPod = Pod & {
  spec?: Pod["spec"] & { hostname?: string; subdomain?: string; volumes?: Volume[]; [field: string]: unknown };
};

export interface Claim extends KubeObject {
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
}

export interface ControllerRevision extends KubeObject {
  metadata: ObjectMeta;
  data?: unknown;
  revision?: number;
}

/** getPersistentVolumeClaimRetentionPolicy: the set's policy, Retain for anything unset. */
export function retentionPolicyOf(set: StatefulSet): { whenDeleted: RetentionPolicyType; whenScaled: RetentionPolicyType } {
  const policy = set.spec.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: policy?.whenDeleted ?? "Retain", whenScaled: policy?.whenScaled ?? "Retain" };
}

/** allowsBurst: Parallel pod management creates and deletes without waiting for order. */
export function allowsBurst(set: StatefulSet): boolean {
  return set.spec.podManagementPolicy === "Parallel";
}

/** getPodRevision: the revision name a pod was made from ("" when unlabelled). */
export function getPodRevision(pod: KubeObject): string {
  return pod.metadata?.labels?.[StatefulSetRevisionLabel] ?? "";
}
