// Typed views of batch/v1 Job and the pods it runs, as the Job controller reads them (upstream
// pkg/controller/job and pkg/controller/job/util), plus upstream's vocabulary: the tracking
// finalizer, completion-index annotation and label, condition types and reasons, and the small
// predicates syncJob is built from (IsJobFinished, isPodFailed, ensureJobConditionStatus...).
// Objects come from informers, already defaulted by the API server; never mutate a cached one.
import type { LabelSelectorObject } from "../../api/label-selector.js";
import type { KubeObject, ObjectMeta } from "../../api/resource.js";
import type { ResourceRef } from "../../client/client.js";
import type { Pod as BasePod, PodTemplate } from "../pods.js";
import { rfc3339 } from "../../api/meta-time.js";

/** batch/v1 jobs (the client has no BATCH_V1 helper). */
export const BATCH_JOBS: ResourceRef = { group: "batch", version: "v1", resource: "jobs" };

/** batch.JobTrackingFinalizer: keeps a finished pod until the Job has counted it. */
export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
/** batch.JobCompletionIndexAnnotation (also the pod label, PodIndexLabel). */
export const JOB_COMPLETION_INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";
/** The Job's controller when spec.managedBy is unset. */
export const JOB_CONTROLLER_NAME = "kubernetes.io/job-controller";

export const JobComplete = "Complete";
export const JobFailed = "Failed";
export const JobSuspended = "Suspended";
export const JobFailureTarget = "FailureTarget";
export const JobSuccessCriteriaMet = "SuccessCriteriaMet";

export const JobReasonBackoffLimitExceeded = "BackoffLimitExceeded";
export const JobReasonDeadlineExceeded = "DeadlineExceeded";
export const JobReasonCompletionsReached = "CompletionsReached";

/** Event reasons (those of pod creation and deletion come from ../pod-control.ts). */
export const Completed = "Completed";
export const BackoffLimitExceeded = JobReasonBackoffLimitExceeded;
export const DeadlineExceeded = JobReasonDeadlineExceeded;
export const TooManySucceededPods = "TooManySucceededPods";
export const UnknownCompletionMode = "UnknownCompletionMode";
export const Suspended = "Suspended";
export const Resumed = "Resumed";

export interface JobCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface UncountedTerminatedPods {
  succeeded?: string[];
  failed?: string[];
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  ready?: number;
  completedIndexes?: string;
  failedIndexes?: string;
  uncountedTerminatedPods?: UncountedTerminatedPods;
}

export interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  activeDeadlineSeconds?: number;
  backoffLimit?: number;
  selector?: LabelSelectorObject;
  template?: PodTemplate;
  ttlSecondsAfterFinished?: number;
  completionMode?: string;
  suspend?: boolean;
  managedBy?: string;
  podFailurePolicy?: unknown;
  podReplacementPolicy?: string;
}

export interface Job extends KubeObject {
  metadata: ObjectMeta;
  spec: JobSpec;
  status?: JobStatus;
}

export interface ContainerStatus {
  name?: string;
  restartCount?: number;
  state?: { terminated?: { finishedAt?: string } };
}

/** The pod fields the Job controller reads, on top of those the ReplicaSet controller reads. */
export interface Pod extends BasePod {
  spec?: BasePod["spec"] & { restartPolicy?: string };
  status?: Omit<NonNullable<BasePod["status"]>, "containerStatuses" | "initContainerStatuses"> & {
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

/** util.FinishedCondition: the Complete or Failed condition that is True, if any. */
export function finishedCondition(job: Job): JobCondition | undefined {
  return job.status?.conditions?.find((c) => (c.type === JobComplete || c.type === JobFailed) && c.status === "True");
}

/** util.IsJobFinished. */
export function isJobFinished(job: Job): boolean {
  return finishedCondition(job) !== undefined;
}

/** util.IsJobSucceeded. */
export function isJobSucceeded(job: Job): boolean {
  return finishedCondition(job)?.type === JobComplete;
}

export function isIndexedJob(job: Job): boolean {
  return job.spec.completionMode === "Indexed";
}

export function jobSuspended(job: Job): boolean {
  return job.spec.suspend === true;
}

/** The controller named in spec.managedBy when it is not this one (the Job is not ours to sync). */
export function managedByExternalController(job: Job): string | undefined {
  const managedBy = job.spec.managedBy;
  return managedBy !== undefined && managedBy !== JOB_CONTROLLER_NAME ? managedBy : undefined;
}

export function hasJobTrackingFinalizer(pod: KubeObject): boolean {
  return pod.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

/** onlyReplaceFailedPods: with podReplacementPolicy Failed (or a pod failure policy) terminating pods are not replaced. */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec.podReplacementPolicy === "Failed" || job.spec.podFailurePolicy !== undefined;
}

/** isPodFailed: Failed, or (unless only failed pods are replaced) deleted before it succeeded. */
export function isPodFailed(pod: Pod, job: Job): boolean {
  const phase = pod.status?.phase;
  if (phase === "Failed") return true;
  if (onlyReplaceFailedPods(job)) return false;
  return pod.metadata.deletionTimestamp !== undefined && phase !== "Succeeded";
}

/** controller.IsPodTerminating: being deleted and not yet finished. */
export function isPodTerminating(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return pod.metadata.deletionTimestamp !== undefined && phase !== "Succeeded" && phase !== "Failed";
}

/** getCompletionIndex: the completion-index annotation as a non-negative integer, or -1. */
export function getCompletionIndex(pod: KubeObject): number {
  const value = pod.metadata?.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION];
  if (value === undefined || !/^[+-]?\d+$/.test(value)) return UNKNOWN_COMPLETION_INDEX;
  const index = Number(value);
  return index >= 0 && Number.isSafeInteger(index) ? index : UNKNOWN_COMPLETION_INDEX;
}

export const UNKNOWN_COMPLETION_INDEX = -1;

export function findConditionByType(conditions: readonly JobCondition[] | undefined, type: string): JobCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: JobCondition["status"], reason: string, message: string, nowMs: number): JobCondition {
  const time = rfc3339(nowMs);
  return { type, status, lastProbeTime: time, lastTransitionTime: time, reason, message };
}

/**
 * ensureJobConditionStatus: sets the condition of that type (replacing one whose status, reason or
 * message differ); never adds a False condition that did not exist. Returns whether it changed.
 */
export function ensureJobConditionStatus(
  conditions: JobCondition[],
  condition: Omit<JobCondition, "lastProbeTime" | "lastTransitionTime">,
  nowMs: number,
): boolean {
  const fresh = newCondition(condition.type, condition.status, condition.reason ?? "", condition.message ?? "", nowMs);
  const at = conditions.findIndex((c) => c.type === condition.type);
  if (at >= 0) {
    const existing = conditions[at];
    if (existing && existing.status === fresh.status && (existing.reason ?? "") === fresh.reason && (existing.message ?? "") === fresh.message) return false;
    conditions[at] = fresh;
    return true;
  }
  if (condition.status === "False") return false;
  conditions.push(fresh);
  return true;
}
