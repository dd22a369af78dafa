// One CronJob's reconcile (upstream cronjob_controllerv2.go syncCronJob and cleanupFinishedJobs),
// applied to a copy of the cached CronJob whose status the caller writes once:
// 1. reconcile the active list with the Jobs the CronJob controls (finished ones leave it, with
//    SawCompletedJob; missing ones leave it, with MissingJob; lastSuccessfulTime follows completions);
// 2. prune finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, oldest first;
// 3. unless deleted or suspended, find the latest unmet start: too late for startingDeadlineSeconds
//    is MissSchedule; already started is nothing; Forbid with an active Job is JobAlreadyActive;
//    Replace deletes the active Jobs first; then the Job is created and recorded as active with
//    lastScheduleTime. The result says when to look again (the next start).
import { StatusError } from "../../api/errors.js";
import type { Client } from "../../client/client.js";
import type { Clock } from "../../client/clock.js";
import type { EventRecorder } from "../../client/event-recorder.js";
import { controllerRefOf } from "../controller-ref.js";
import { messageOf } from "../error-message.js";
import { isJobFinished, isJobSucceeded, finishedCondition, type Job } from "../job/objects.js";
import { isNamespaceTerminating } from "../pod-control.js";
import { rfc3339, timeMs } from "../../api/meta-time.js";
import {
  BATCH_CRONJOBS, BATCH_JOBS, FailedCreate, FailedDelete, FailedGet, InvalidSchedule, JobAlreadyActive, MissSchedule, MissingJob, SawCompletedJob,
  SuccessfulCreate, SuccessfulDelete, TooManyMissedTimes, UnexpectedJob, UnknownTimeZone, UnparseableSchedule, UnsupportedSchedule,
  byJobStartTime, deleteFromActiveList, getJobFromTemplate, getJobName, inActiveList, inActiveListByName, jobReference, type CronJob,
} from "./objects.js";
import { isKnownTimeZone } from "../../api/resources/cron-schedule.js";
import { nextScheduleTime, nextScheduleTimeDuration, scheduleOf, type Schedule } from "./schedule.js";
import { formatRFC1123Z } from "./zone.js";

export interface CronJobDeps {
  client: Client;
  recorder: EventRecorder;
  clock: Clock;
}

export interface SyncResult {
  /** When to look again; undefined: only when something changes. */
  requeueAfterMs?: number;
  updateStatus: boolean;
}

/** syncCronJob: converges the Jobs of cj (a copy, changed in place). Throws to retry. */
export async function syncCronJob(deps: CronJobDeps, cj: CronJob, jobs: readonly Job[]): Promise<SyncResult> {
  let updateStatus = await reconcileActiveList(deps, cj, jobs);
  if (cj.metadata.deletionTimestamp) return { updateStatus };
  const schedule = await usableSchedule(deps, cj);
  if (!schedule) return { updateStatus };
  const nowMs = deps.clock.now();
  const requeue = () => nextScheduleTimeDuration(cj, nowMs, schedule);
  const next = nextScheduleTime(cj, nowMs, schedule);
  if (next.missed === "many") {
    await deps.recorder.event(cj, "Warning", TooManyMissedTimes, "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
  }
  if (next.scheduledMs === undefined) {
    if (next.error === undefined) return { requeueAfterMs: requeue(), updateStatus };
    await deps.recorder.event(cj, "Warning", InvalidSchedule, `invalid schedule: ${cj.spec.schedule} : ${next.error}`);
    return { updateStatus };
  }
  const scheduledMs = next.scheduledMs;
  if (!(await mayStart(deps, cj, scheduledMs, nowMs))) return { requeueAfterMs: requeue(), updateStatus };
  if (cj.spec.concurrencyPolicy === "Replace") updateStatus = (await replaceActiveJobs(deps, cj)) || updateStatus;
  const created = await createJob(deps, cj, scheduledMs);
  if (!created) return { updateStatus };
  const status = (cj.status ??= {});
  status.active = [...(status.active ?? []).filter((ref) => ref.uid !== created.metadata.uid), jobReference(created)];
  status.lastScheduleTime = rfc3339(scheduledMs);
  return { requeueAfterMs: requeue(), updateStatus: true };
}

/** Step 1: the active list and lastSuccessfulTime against the Jobs seen. */
async function reconcileActiveList(deps: CronJobDeps, cj: CronJob, jobs: readonly Job[]): Promise<boolean> {
  let updateStatus = false;
  for (const job of jobs) {
    const found = inActiveList(cj, job.metadata.uid);
    if (!found && !isJobFinished(job)) {
      // The cache may lag behind our own status write: ask the server before complaining.
      const fresh = (await deps.client.get(BATCH_CRONJOBS, cj.metadata.namespace, cj.metadata.name ?? "")) as CronJob;
      if (inActiveList(fresh, job.metadata.uid)) continue;
      await deps.recorder.event(cj, "Warning", UnexpectedJob, `Saw a job that the controller did not create or forgot: ${job.metadata.name ?? ""}`);
    } else if (found && isJobFinished(job)) {
      deleteFromActiveList(cj, job.metadata.uid);
      await deps.recorder.event(cj, "Normal", SawCompletedJob, `Saw completed job: ${job.metadata.name ?? ""}, status: ${finishedCondition(job)?.type ?? ""}`);
      updateStatus = true;
    } else if (isJobSucceeded(job)) {
      updateStatus = noteSuccess(cj, job) || updateStatus;
    }
  }
  return (await dropMissingJobs(deps, cj, jobs)) || updateStatus;
}

/** lastSuccessfulTime: the latest completionTime of a succeeded Job. */
function noteSuccess(cj: CronJob, job: Job): boolean {
  const completion = job.status?.completionTime;
  const status = (cj.status ??= {});
  const last = timeMs(status.lastSuccessfulTime);
  const at = timeMs(completion);
  if (at === undefined || (last !== undefined && at <= last)) return false;
  status.lastSuccessfulTime = completion;
  return true;
}

/** Active references whose Job is gone (asked of the server, not the cache) leave the list. */
async function dropMissingJobs(deps: CronJobDeps, cj: CronJob, jobs: readonly Job[]): Promise<boolean> {
  const seen = new Set(jobs.map((j) => j.metadata.uid));
  let updateStatus = false;
  for (const ref of [...(cj.status?.active ?? [])]) {
    if (seen.has(ref.uid)) continue;
    try {
      await deps.client.get(BATCH_JOBS, ref.namespace, ref.name ?? "");
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
      await deps.recorder.event(cj, "Normal", MissingJob, `Active job went missing: ${ref.name ?? ""}`);
      deleteFromActiveList(cj, ref.uid);
      updateStatus = true;
    }
  }
  return updateStatus;
}

/** The schedule to run, unless the zone is unknown, the CronJob suspended or the schedule unparseable. */
async function usableSchedule(deps: CronJobDeps, cj: CronJob): Promise<Schedule | undefined> {
  const timeZone = cj.spec.timeZone;
  if (timeZone !== undefined && !isKnownTimeZone(timeZone)) {
    await deps.recorder.event(cj, "Warning", UnknownTimeZone, `invalid timeZone: "${timeZone}": unknown time zone ${timeZone}`);
    return undefined;
  }
  if (cj.spec.suspend === true) return undefined;
  if (cj.spec.schedule.includes("TZ")) {
    await deps.recorder.event(cj, "Warning", UnsupportedSchedule, `CRON_TZ or TZ used in schedule "${cj.spec.schedule}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
  }
  const schedule = scheduleOf(cj);
  if (typeof schedule !== "string") return schedule;
  await deps.recorder.event(cj, "Warning", UnparseableSchedule, `unparseable schedule: "${cj.spec.schedule}" : ${schedule}`);
  return undefined;
}

/** Not too late, not already started, and not forbidden by an active Job. */
async function mayStart(deps: CronJobDeps, cj: CronJob, scheduledMs: number, nowMs: number): Promise<boolean> {
  const deadline = cj.spec.startingDeadlineSeconds;
  if (deadline !== undefined && deadline !== null && scheduledMs + deadline * 1000 < nowMs) {
    await deps.recorder.event(cj, "Warning", MissSchedule, `Missed scheduled time to start a job: ${formatRFC1123Z(scheduledMs)}`);
    return false;
  }
  const lastScheduleMs = timeMs(cj.status?.lastScheduleTime);
  if (inActiveListByName(cj, cj.metadata.namespace, getJobName(cj, scheduledMs)) || lastScheduleMs === scheduledMs) return false;
  if (cj.spec.concurrencyPolicy === "Forbid" && (cj.status?.active ?? []).length > 0) {
    await deps.recorder.event(cj, "Normal", JobAlreadyActive, "Not starting job because prior execution is running and concurrency policy is Forbid");
    return false;
  }
  return true;
}

/** Replace: the active Jobs are deleted before the new one starts. */
async function replaceActiveJobs(deps: CronJobDeps, cj: CronJob): Promise<boolean> {
  let changed = false;
  for (const ref of [...(cj.status?.active ?? [])]) {
    let job: Job;
    try {
      job = (await deps.client.get(BATCH_JOBS, ref.namespace, ref.name ?? "")) as Job;
    } catch (err) {
      await deps.recorder.event(cj, "Warning", FailedGet, `Get job: ${messageOf(err)}`);
      throw err;
    }
    if (!(await deleteJob(deps, cj, job))) throw new Error(`could not replace job ${job.metadata.namespace ?? ""}/${job.metadata.name ?? ""}`);
    changed = true;
  }
  return changed;
}

/** Creates the Job for scheduledMs; undefined when there is nothing to record (it exists and is not ours, or is already listed). */
async function createJob(deps: CronJobDeps, cj: CronJob, scheduledMs: number): Promise<Job | undefined> {
  const request = getJobFromTemplate(cj, scheduledMs);
  try {
    const created = (await deps.client.create(BATCH_JOBS, cj.metadata.namespace, request)) as Job;
    await deps.recorder.event(cj, "Normal", SuccessfulCreate, `Created job ${created.metadata.name ?? ""}`);
    return created;
  } catch (err) {
    if (isNamespaceTerminating(err)) throw err;
    if (!(err instanceof StatusError && err.code === 409 && err.reason === "AlreadyExists")) {
      await deps.recorder.event(cj, "Warning", FailedCreate, `Error creating job: ${messageOf(err)}`);
      throw err;
    }
  }
  // Created before, but the active list was not written: record it now, if it is ours.
  const existing = (await deps.client.get(BATCH_JOBS, cj.metadata.namespace, request.metadata.name ?? "")) as Job;
  if (controllerRefOf(existing)?.uid !== cj.metadata.uid || inActiveList(cj, existing.metadata.uid)) return undefined;
  return existing;
}

/** deleteJob: deletes the Job (its pods in the background) and its active reference. */
export async function deleteJob(deps: CronJobDeps, cj: CronJob, job: Job): Promise<boolean> {
  try {
    await deps.client.delete(BATCH_JOBS, job.metadata.namespace, job.metadata.name ?? "", { propagationPolicy: "Background" });
  } catch (err) {
    await deps.recorder.event(cj, "Warning", FailedDelete, `Deleted job: ${messageOf(err)}`);
    return false;
  }
  deleteFromActiveList(cj, job.metadata.uid);
  await deps.recorder.event(cj, "Normal", SuccessfulDelete, `Deleted job ${job.metadata.name ?? ""}`);
  return true;
}

/** cleanupFinishedJobs: finished Jobs beyond the history limits are deleted, oldest first. */
export async function cleanupFinishedJobs(deps: CronJobDeps, cj: CronJob, jobs: readonly Job[]): Promise<boolean> {
  const { successfulJobsHistoryLimit, failedJobsHistoryLimit } = cj.spec;
  const succeeded = jobs.filter((j) => finishedCondition(j)?.type === "Complete");
  const failed = jobs.filter((j) => finishedCondition(j)?.type === "Failed");
  let updateStatus = false;
  if (successfulJobsHistoryLimit !== undefined) updateStatus = (await removeOldestJobs(deps, cj, succeeded, successfulJobsHistoryLimit)) || updateStatus;
  if (failedJobsHistoryLimit !== undefined) updateStatus = (await removeOldestJobs(deps, cj, failed, failedJobsHistoryLimit)) || updateStatus;
  return updateStatus;
}

async function removeOldestJobs(deps: CronJobDeps, cj: CronJob, jobs: readonly Job[], maxJobs: number): Promise<boolean> {
  const numToDelete = jobs.length - maxJobs;
  if (numToDelete <= 0) return false;
  let updateStatus = false;
  for (const job of [...jobs].sort(byJobStartTime).slice(0, numToDelete)) {
    if (await deleteJob(deps, cj, job)) updateStatus = true;
  }
  return updateStatus;
}
