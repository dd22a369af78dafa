// Typed views of batch/v1 CronJob as the CronJob controller reads it, upstream's vocabulary (event
// reasons, the scheduled-timestamp annotation) and the helpers of upstream's utils.go: the active
// list, the Job made from the template for one scheduled time (named <cronjob>-<minutes since the
// epoch>, so a start is never created twice), and the order in which old Jobs are pruned.
import type { KubeObject, ObjectMeta } from "../../api/resource.js";
import type { ResourceRef } from "../../client/client.js";
import { newControllerRef } from "../controller-ref.js";
import { BATCH_JOBS, type Job, type JobSpec } from "../job/objects.js";
import { timeMs } from "../../api/meta-time.js";
import { Zone, formatRFC3339 } from "./zone.js";

export const BATCH_CRONJOBS: ResourceRef = { group: "batch", version: "v1", resource: "cronjobs" };
export { BATCH_JOBS };

/** batch.CronJobScheduledTimestampAnnotation: the start the Job was created for, in the CronJob's zone. */
export const CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp";

export const SuccessfulCreate = "SuccessfulCreate";
export const FailedCreate = "FailedCreate";
export const SuccessfulDelete = "SuccessfulDelete";
export const FailedDelete = "FailedDelete";
export const FailedGet = "FailedGet";
export const SawCompletedJob = "SawCompletedJob";
export const UnexpectedJob = "UnexpectedJob";
export const MissingJob = "MissingJob";
export const MissSchedule = "MissSchedule";
export const JobAlreadyActive = "JobAlreadyActive";
export const TooManyMissedTimes = "TooManyMissedTimes";
export const UnparseableSchedule = "UnparseableSchedule";
export const InvalidSchedule = "InvalidSchedule";
export const UnknownTimeZone = "UnknownTimeZone";
export const UnsupportedSchedule = "UnsupportedSchedule";

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface CronJob extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    schedule: string;
    timeZone?: string;
    startingDeadlineSeconds?: number | null;
    concurrencyPolicy?: "Allow" | "Forbid" | "Replace";
    suspend?: boolean;
    jobTemplate: { metadata?: ObjectMeta; spec?: Record<string, unknown> };
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
  };
  status?: { active?: ObjectReference[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
}

export function inActiveList(cj: CronJob, uid: string | undefined): boolean {
  return (cj.status?.active ?? []).some((ref) => ref.uid === uid);
}

export function inActiveListByName(cj: CronJob, namespace: string | undefined, name: string): boolean {
  return (cj.status?.active ?? []).some((ref) => ref.name === name && ref.namespace === namespace);
}

export function deleteFromActiveList(cj: CronJob, uid: string | undefined): void {
  const status = (cj.status ??= {});
  status.active = (status.active ?? []).filter((ref) => ref.uid !== uid);
}

/** getJobName: "<cronjob>-<scheduled time in minutes since the epoch>". */
export function getJobName(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata.name ?? ""}-${Math.floor(scheduledMs / 60_000)}`;
}

/** getJobFromTemplate2: the Job for one scheduled time, controlled by the CronJob. */
export function getJobFromTemplate(cj: CronJob, scheduledMs: number): Job {
  const template = cj.spec.jobTemplate;
  const annotations = { ...template.metadata?.annotations };
  annotations[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION] = formatRFC3339(scheduledMs, new Zone(cj.spec.timeZone ?? "UTC"));
  const labels = template.metadata?.labels;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: getJobName(cj, scheduledMs),
      ...(labels && Object.keys(labels).length > 0 ? { labels: { ...labels } } : {}),
      annotations,
      ownerReferences: [newControllerRef(cj, "batch/v1", "CronJob")],
    },
    spec: structuredClone(template.spec ?? {}) as JobSpec,
  };
}

/** getRef: the reference the active list holds. */
export function jobReference(job: Job): ObjectReference {
  const { namespace, name, uid, resourceVersion } = job.metadata;
  return { kind: "Job", namespace, name, uid, apiVersion: "batch/v1", resourceVersion };
}

/** byJobStartTime: started before not started, earlier first, then by name. */
export function byJobStartTime(a: Job, b: Job): number {
  const startA = timeMs(a.status?.startTime);
  const startB = timeMs(b.status?.startTime);
  if (startA === undefined && startB !== undefined) return 1;
  if (startA !== undefined && startB === undefined) return -1;
  if (startA === startB) return (a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : (a.metadata.name ?? "") > (b.metadata.name ?? "") ? 1 : 0;
  return (startA ?? 0) - (startB ?? 0);
}
