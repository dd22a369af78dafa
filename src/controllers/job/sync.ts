// syncJob after the pods are claimed (upstream job_controller.go syncJob): counts succeeded and
// failed pods (status counters + uncounted uids + newly finished pods still holding the tracking
// finalizer), sets startTime, decides whether the Job is finishing (past backoffLimit, past
// activeDeadlineSeconds, or enough completions), then either deletes the active pods of a finishing
// Job or lets manageJob converge the active pods, keeps the Suspended condition, and hands the
// status to trackJobStatusAndRemoveFinalizers. As upstream from v1.31, a Job first gets the interim
// FailureTarget or SuccessCriteriaMet condition and only later Failed or Complete.
import type { ReconcileResult } from "../../client/controller.js";
import { filterActivePods, isPodReady } from "../pods.js";
import { timeMs, rfc3339 } from "../../api/meta-time.js";
import { calculateSucceededIndexes, totalIndexes } from "./indexed.js";
import { deleteActivePods, manageJob } from "./manage.js";
import {
  JobFailed, JobFailureTarget, JobReasonBackoffLimitExceeded, JobReasonCompletionsReached, JobReasonDeadlineExceeded, JobSuccessCriteriaMet,
  JobSuspended, Resumed, Suspended, UNKNOWN_COMPLETION_INDEX, ensureJobConditionStatus, findConditionByType, getCompletionIndex,
  hasJobTrackingFinalizer, isIndexedJob, isPodFailed, isPodTerminating, jobSuspended, newCondition,
  type Job, type JobCondition, type Pod,
} from "./objects.js";
import { trackJobStatusAndRemoveFinalizers } from "./status.js";
import { requeueAfter, type JobControllerDeps, type SyncJobCtx } from "./sync-context.js";

export interface SyncJobInput {
  key: string;
  /** A deep copy of the cached Job: this sync changes it. */
  job: Job;
  /** The pods the Job controls (cached objects: never mutated). */
  pods: readonly Pod[];
  /** Expectations were satisfied before the pods were listed. */
  satisfiedExpectations: boolean;
}

export async function syncJob(deps: JobControllerDeps, input: SyncJobInput): Promise<ReconcileResult> {
  const ctx = newSyncJobCtx(deps, input);
  decideFailure(deps, ctx);
  if (isIndexedJob(ctx.job)) {
    [ctx.prevSucceededIndexes, ctx.succeededIndexes] = calculateSucceededIndexes(ctx.job, ctx.pods);
    ctx.succeeded = totalIndexes(ctx.succeededIndexes);
  }
  const { active, suspendCondChanged, manageJobErr } = await converge(deps, ctx, input.satisfiedExpectations);
  const status = (ctx.job.status ??= {});
  const needsStatusUpdate = suspendCondChanged || active !== (status.active ?? 0) || ctx.ready !== status.ready || ctx.terminating !== status.terminating;
  status.active = active;
  status.ready = ctx.ready;
  status.terminating = ctx.terminating;
  await trackJobStatusAndRemoveFinalizers(deps, ctx, needsStatusUpdate);
  if (manageJobErr !== undefined) throw manageJobErr;
  return ctx.requeueAfterMs === undefined ? undefined : { requeueAfterMs: ctx.requeueAfterMs };
}

function newSyncJobCtx(deps: JobControllerDeps, { key, job, pods }: SyncJobInput): SyncJobCtx {
  const status = (job.status ??= {});
  const uncountedStatus = (status.uncountedTerminatedPods ??= {});
  const activePods = filterActivePods(pods) as Pod[];
  const ctx: SyncJobCtx = {
    key,
    job,
    pods,
    activePods,
    succeeded: 0,
    failed: 0,
    prevSucceededIndexes: [],
    succeededIndexes: [],
    newBackoffRecord: { key, failuresAfterLastSuccess: 0 },
    expectedRmFinalizers: deps.finalizerExpectations.getExpectedUIDs(key),
    uncounted: { succeeded: new Set(uncountedStatus.succeeded ?? []), failed: new Set(uncountedStatus.failed ?? []) },
    terminating: pods.filter(isPodTerminating).length,
    ready: activePods.filter(isPodReady).length,
  };
  const [newSucceededPods, newFailedPods] = getNewFinishedPods(ctx);
  ctx.succeeded = (status.succeeded ?? 0) + newSucceededPods.length + ctx.uncounted.succeeded.size;
  ctx.failed = (status.failed ?? 0) + newFailedPods.length + ctx.uncounted.failed.size;
  // The first start; a suspended Job has not started.
  if (!status.startTime && !jobSuspended(job)) status.startTime = rfc3339(deps.clock.now());
  ctx.newBackoffRecord = deps.backoffStore.newBackoffRecord(key, newSucceededPods, newFailedPods);
  return ctx;
}

/** getNewFinishedPods: finished pods not yet in the counters nor in the uncounted lists. */
function getNewFinishedPods(ctx: SyncJobCtx): [Pod[], Pod[]] {
  const valid = (uncounted: ReadonlySet<string>) =>
    ctx.pods.filter((pod) => {
      const uid = pod.metadata.uid ?? "";
      if (!hasJobTrackingFinalizer(pod) || uncounted.has(uid) || ctx.expectedRmFinalizers.has(uid)) return false;
      if (!isIndexedJob(ctx.job)) return true;
      const ix = getCompletionIndex(pod);
      return ix !== UNKNOWN_COMPLETION_INDEX && ix < (ctx.job.spec.completions ?? 0);
    });
  return [valid(ctx.uncounted.succeeded).filter((p) => p.status?.phase === "Succeeded"), valid(ctx.uncounted.failed).filter((p) => isPodFailed(p, ctx.job))];
}

/** The failure (or earlier success) condition the Job is finishing with, if any. */
function decideFailure(deps: JobControllerDeps, ctx: SyncJobCtx): void {
  const { job } = ctx;
  const conditions = job.status?.conditions;
  const nowMs = deps.clock.now();
  const successCriteriaMet = conditions?.find((c) => c.type === JobSuccessCriteriaMet && c.status === "True");
  if (successCriteriaMet) {
    ctx.finishedCondition = successCriteriaMet;
    return;
  }
  const failureTarget = findConditionByType(conditions, JobFailureTarget);
  if (failureTarget?.status === "True") {
    ctx.finishedCondition = newCondition(JobFailed, "True", failureTarget.reason ?? "", failureTarget.message ?? "", nowMs);
  } else if (ctx.failed > (job.spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, ctx.pods)) {
    ctx.finishedCondition = newFailureCondition(JobReasonBackoffLimitExceeded, "Job has reached the specified backoff limit", nowMs);
  } else if (pastActiveDeadline(job, nowMs)) {
    ctx.finishedCondition = newFailureCondition(JobReasonDeadlineExceeded, "Job was active longer than specified deadline", nowMs);
  } else if (job.spec.activeDeadlineSeconds !== undefined && !jobSuspended(job)) {
    const startMs = timeMs(job.status?.startTime) ?? nowMs;
    requeueAfter(ctx, job.spec.activeDeadlineSeconds * 1000 - (nowMs - startMs));
  }
}

/** newFailureCondition: FailureTarget first (delayed terminal condition, on from v1.31). */
function newFailureCondition(reason: string, message: string, nowMs: number): JobCondition {
  return newCondition(JobFailureTarget, "True", reason, message, nowMs);
}

/** newSuccessCondition: SuccessCriteriaMet first, with the JobSuccessPolicy wording. */
function newSuccessCondition(nowMs: number): JobCondition {
  return newCondition(JobSuccessCriteriaMet, "True", JobReasonCompletionsReached, "Reached expected number of succeeded pods", nowMs);
}

/** pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts count as failures. */
function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if ((job.spec.template?.spec as { restartPolicy?: string } | undefined)?.restartPolicy !== "OnFailure") return false;
  let restarts = 0;
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase !== "Running" && phase !== "Pending") continue;
    for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) restarts += status.restartCount ?? 0;
  }
  const backoffLimit = job.spec.backoffLimit ?? 6;
  return backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit;
}

/** pastActiveDeadline: running (not suspended) for activeDeadlineSeconds. */
function pastActiveDeadline(job: Job, nowMs: number): boolean {
  const startMs = timeMs(job.status?.startTime);
  if (job.spec.activeDeadlineSeconds === undefined || startMs === undefined || jobSuspended(job)) return false;
  return nowMs - startMs >= job.spec.activeDeadlineSeconds * 1000;
}

interface Converged {
  active: number;
  suspendCondChanged: boolean;
  manageJobErr?: unknown;
}

/** A finishing Job loses its active pods; otherwise manageJob runs and completion is checked. */
async function converge(deps: JobControllerDeps, ctx: SyncJobCtx, satisfiedExpectations: boolean): Promise<Converged> {
  const { job } = ctx;
  if (ctx.finishedCondition) {
    const { deletedReady, deleted, err } = await deleteActivePods(deps, job, ctx.activePods);
    // Pods not yet deleted, or not yet in the cache, keep the Job from finishing.
    if (deleted !== ctx.activePods.length || !satisfiedExpectations) ctx.finishedCondition = undefined;
    ctx.terminating += deleted;
    ctx.ready -= deletedReady;
    return { active: ctx.activePods.length - deleted, suspendCondChanged: false, manageJobErr: err };
  }
  if (!satisfiedExpectations || job.metadata.deletionTimestamp) return { active: ctx.activePods.length, suspendCondChanged: false };
  const { active, err } = await manageJob(deps, ctx);
  const completions = job.spec.completions;
  // Without completions, any success completes the Job once nothing runs.
  const complete = completions === undefined || completions === null ? ctx.succeeded > 0 && active === 0 : ctx.succeeded >= completions && active === 0;
  if (complete) {
    ctx.finishedCondition = newSuccessCondition(deps.clock.now());
    return { active, suspendCondChanged: false, manageJobErr: err };
  }
  return { active, suspendCondChanged: await updateSuspendedCondition(deps, job), manageJobErr: err };
}

/** The Suspended condition and its events; resuming restarts the activeDeadlineSeconds clock. */
async function updateSuspendedCondition(deps: JobControllerDeps, job: Job): Promise<boolean> {
  const status = (job.status ??= {});
  const conditions = [...(status.conditions ?? [])];
  const nowMs = deps.clock.now();
  const suspended = jobSuspended(job);
  const condition = suspended
    ? { type: JobSuspended, status: "True" as const, reason: "JobSuspended", message: "Job suspended" }
    : { type: JobSuspended, status: "False" as const, reason: "JobResumed", message: "Job resumed" };
  if (!ensureJobConditionStatus(conditions, condition, nowMs)) return false;
  status.conditions = conditions;
  await deps.recorder.event(job, "Normal", suspended ? Suspended : Resumed, condition.message);
  // Resuming restarts activeDeadlineSeconds, as does starting a Job created suspended.
  if (!suspended) status.startTime = rfc3339(nowMs);
  return true;
}
