// Counting finished pods and finishing the Job (upstream trackJobStatusAndRemoveFinalizers and
// flushUncountedAndRemoveFinalizers). Each finished pod that still has the tracking finalizer is:
//  1. added to status.uncountedTerminatedPods (indexed Jobs: its index to completedIndexes), and
//     the status written;
//  2. stripped of its finalizer (now the pod may go away);
//  3. moved from the uncounted lists into status.succeeded / status.failed, and written again.
// A crash between steps loses nothing and counts nothing twice. At most 500 uids are uncounted at
// once. The interim FailureTarget / SuccessCriteriaMet condition is written before the finalizers
// go; Complete / Failed only once nothing is uncounted and no pod is terminating, with the events
// Completed "Job completed" or the failure reason and message.
import { StatusError } from "../../api/errors.js";
import { formatIntervals, hasIndex, totalIndexes, withOrderedIndexes } from "./indexed.js";
import {
  BATCH_JOBS, Completed, JobComplete, JobFailed, JobFailureTarget, JobSuccessCriteriaMet, TooManySucceededPods, UNKNOWN_COMPLETION_INDEX,
  ensureJobConditionStatus, getCompletionIndex, hasJobTrackingFinalizer, isIndexedJob, isPodFailed, newCondition,
  type Job, type JobCondition, type JobStatus, type Pod,
} from "./objects.js";
import type { JobControllerDeps, SyncJobCtx } from "./sync-context.js";
import { removeTrackingFinalizerPatch } from "./tracking.js";

/** MaxUncountedPods: keeps status.uncountedTerminatedPods roughly under 20 KB. */
export const MAX_UNCOUNTED_PODS = 500;

interface Tracking {
  podsToRemoveFinalizer: Pod[];
  uidsWithFinalizer: Set<string>;
  newSucceededIndexes: number[];
  needsFlush: boolean;
  reachedMaxUncountedPods: boolean;
}

export async function trackJobStatusAndRemoveFinalizers(deps: JobControllerDeps, ctx: SyncJobCtx, needsFlush: boolean): Promise<void> {
  const status = statusOf(ctx.job);
  const tracking = collectFinishedPods(ctx, status, needsFlush);
  if (isIndexedJob(ctx.job)) applySucceededIndexes(ctx, status, tracking);
  promoteInterimCondition(deps, ctx, tracking);
  tracking.needsFlush = await flushUncountedAndRemoveFinalizers(deps, ctx, tracking);
  const jobFinished = !tracking.reachedMaxUncountedPods && enactJobFinished(deps, ctx);
  if (!tracking.needsFlush && !jobFinished) return;
  ctx.job = await updateJobStatus(deps, ctx.job);
  if (jobFinished && ctx.finishedCondition) await recordJobFinished(deps, ctx.job, ctx.finishedCondition);
}

/** The working status, with both uncounted lists present. */
type TrackedStatus = JobStatus & { uncountedTerminatedPods: { succeeded: string[]; failed: string[] } };

function statusOf(job: Job): TrackedStatus {
  const status = (job.status ??= {});
  const uncounted = (status.uncountedTerminatedPods ??= {});
  uncounted.succeeded ??= [];
  uncounted.failed ??= [];
  return status as TrackedStatus;
}

/** Step 1: the finished pods to count and strip (pods already handled are skipped). */
function collectFinishedPods(ctx: SyncJobCtx, status: TrackedStatus, needsFlush: boolean): Tracking {
  const pods = isIndexedJob(ctx.job) ? [...ctx.pods].sort((a, b) => getCompletionIndex(a) - getCompletionIndex(b)) : ctx.pods;
  const isPending = (pod: Pod) => hasJobTrackingFinalizer(pod) && !ctx.expectedRmFinalizers.has(pod.metadata.uid ?? "");
  const tracking: Tracking = {
    podsToRemoveFinalizer: [],
    uidsWithFinalizer: new Set(pods.filter(isPending).map((p) => p.metadata.uid ?? "")),
    newSucceededIndexes: [],
    needsFlush,
    reachedMaxUncountedPods: false,
  };
  if (cleanUncountedPodsWithoutFinalizers(status, tracking.uidsWithFinalizer)) tracking.needsFlush = true;
  for (const pod of pods) {
    if (!isPending(pod)) continue;
    const considerPodFailed = isPodFailed(pod, ctx.job);
    if (!canRemoveFinalizer(ctx, pod, considerPodFailed)) continue;
    tracking.podsToRemoveFinalizer.push(pod);
    countPod(ctx, status, tracking, pod, considerPodFailed);
    const uncounted = status.uncountedTerminatedPods;
    if (tracking.newSucceededIndexes.length + uncounted.succeeded.length + uncounted.failed.length >= MAX_UNCOUNTED_PODS) {
      // The Job is synced again when these writes come back from the informer.
      tracking.reachedMaxUncountedPods = true;
      break;
    }
  }
  return tracking;
}

/** canRemoveFinalizer: the Job is being deleted or finishing, or the pod succeeded or failed. */
function canRemoveFinalizer(ctx: SyncJobCtx, pod: Pod, considerPodFailed: boolean): boolean {
  return ctx.job.metadata.deletionTimestamp !== undefined || ctx.finishedCondition !== undefined || pod.status?.phase === "Succeeded" || considerPodFailed;
}

function countPod(ctx: SyncJobCtx, status: TrackedStatus, tracking: Tracking, pod: Pod, considerPodFailed: boolean): void {
  const uid = pod.metadata.uid ?? "";
  const uncounted = status.uncountedTerminatedPods;
  const completions = ctx.job.spec.completions ?? 0;
  const ix = getCompletionIndex(pod);
  const validIndex = ix !== UNKNOWN_COMPLETION_INDEX && ix < completions;
  if (pod.status?.phase === "Succeeded" && !ctx.uncounted.failed.has(uid)) {
    if (isIndexedJob(ctx.job)) {
      // The completion index is enough to avoid counting a pod twice.
      if (validIndex && !hasIndex(ctx.prevSucceededIndexes, ix)) {
        tracking.newSucceededIndexes.push(ix);
        tracking.needsFlush = true;
      }
    } else if (!ctx.uncounted.succeeded.has(uid)) {
      uncounted.succeeded.push(uid);
      tracking.needsFlush = true;
    }
    return;
  }
  // When the Job is failing, every pod not yet finished counts as failed.
  const failing = ctx.finishedCondition !== undefined && ctx.finishedCondition.type !== JobSuccessCriteriaMet;
  if ((considerPodFailed || failing) && !ctx.uncounted.failed.has(uid) && (!isIndexedJob(ctx.job) || validIndex)) {
    uncounted.failed.push(uid);
    tracking.needsFlush = true;
  }
}

function applySucceededIndexes(ctx: SyncJobCtx, status: JobStatus, tracking: Tracking): void {
  ctx.succeededIndexes = withOrderedIndexes(ctx.succeededIndexes, [...tracking.newSucceededIndexes].sort((a, b) => a - b));
  const completedIndexes = formatIntervals(ctx.succeededIndexes);
  if (completedIndexes !== (status.completedIndexes ?? "")) tracking.needsFlush = true;
  status.succeeded = totalIndexes(ctx.succeededIndexes);
  status.completedIndexes = completedIndexes;
}

/** The interim condition is written now; the final one (Failed / Complete) is prepared for later. */
function promoteInterimCondition(deps: JobControllerDeps, ctx: SyncJobCtx, tracking: Tracking): void {
  const finished = ctx.finishedCondition;
  if (!finished) return;
  const conditions = (statusOf(ctx.job).conditions ??= []);
  const nowMs = deps.clock.now();
  if (finished.type === JobFailureTarget) {
    conditions.push(finished);
    tracking.needsFlush = true;
    ctx.finishedCondition = newCondition(JobFailed, "True", finished.reason ?? "", finished.message ?? "", nowMs);
  } else if (finished.type === JobSuccessCriteriaMet) {
    if (!conditions.some((c) => c.type === JobSuccessCriteriaMet && c.status === "True")) {
      conditions.push(finished);
      tracking.needsFlush = true;
    }
    ctx.finishedCondition = newCondition(JobComplete, "True", finished.reason ?? "", finished.message ?? "", nowMs);
  }
}

/** Steps 1 to 3; returns whether status changes are still unwritten. */
async function flushUncountedAndRemoveFinalizers(deps: JobControllerDeps, ctx: SyncJobCtx, tracking: Tracking): Promise<boolean> {
  let needsFlush = tracking.needsFlush;
  if (needsFlush) {
    ctx.job = await updateJobStatus(deps, ctx.job);
    deps.backoffStore.updateBackoffRecord(ctx.newBackoffRecord);
    needsFlush = false;
  }
  let rmErr: unknown;
  if (tracking.podsToRemoveFinalizer.length > 0) {
    const removed = await removeTrackingFinalizerFromPods(deps, ctx.key, tracking.podsToRemoveFinalizer);
    rmErr = removed.err;
    for (const uid of removed.uids) tracking.uidsWithFinalizer.delete(uid);
  }
  if (cleanUncountedPodsWithoutFinalizers(statusOf(ctx.job), tracking.uidsWithFinalizer)) needsFlush = true;
  if (rmErr !== undefined) {
    // Write the partial progress, then fail the sync.
    if (needsFlush) ctx.job = await updateJobStatus(deps, ctx.job);
    throw rmErr;
  }
  return needsFlush;
}

/** cleanUncountedPodsWithoutFinalizers: uids whose finalizer is gone move into the counters. */
export function cleanUncountedPodsWithoutFinalizers(status: JobStatus, uidsWithFinalizer: ReadonlySet<string>): boolean {
  const uncounted = (status.uncountedTerminatedPods ??= {});
  let updated = false;
  const keptSucceeded = (uncounted.succeeded ?? []).filter((uid) => uidsWithFinalizer.has(uid));
  if (keptSucceeded.length !== (uncounted.succeeded ?? []).length) {
    status.succeeded = (status.succeeded ?? 0) + (uncounted.succeeded ?? []).length - keptSucceeded.length;
    uncounted.succeeded = keptSucceeded;
    updated = true;
  }
  const keptFailed = (uncounted.failed ?? []).filter((uid) => uidsWithFinalizer.has(uid));
  if (keptFailed.length !== (uncounted.failed ?? []).length) {
    status.failed = (status.failed ?? 0) + (uncounted.failed ?? []).length - keptFailed.length;
    uncounted.failed = keptFailed;
    updated = true;
  }
  return updated;
}

/** removeTrackingFinalizerFromPods: the uids whose finalizer is gone (a pod already gone counts) and the first error. */
async function removeTrackingFinalizerFromPods(deps: JobControllerDeps, jobKey: string, pods: readonly Pod[]): Promise<{ uids: string[]; err?: unknown }> {
  deps.finalizerExpectations.expectFinalizersRemoved(jobKey, pods.map((p) => p.metadata.uid ?? ""));
  const results = await Promise.all(
    pods.map(async (pod): Promise<unknown> => {
      const patch = removeTrackingFinalizerPatch(pod);
      if (!patch) return undefined;
      try {
        await deps.podControl.patchPod(pod.metadata.namespace ?? "", pod.metadata.name ?? "", patch);
        return undefined;
      } catch (err) {
        // No update will come for this pod: stop expecting one.
        deps.finalizerExpectations.finalizerRemovalObserved(jobKey, pod.metadata.uid ?? "");
        return err instanceof StatusError && err.code === 404 ? undefined : err;
      }
    }),
  );
  const uids = pods.filter((_, i) => results[i] === undefined).map((p) => p.metadata.uid ?? "");
  return { uids, err: results.find((r) => r !== undefined) };
}

/** enactJobFinished: adds Complete or Failed once nothing is uncounted and no pod terminates. */
function enactJobFinished(deps: JobControllerDeps, ctx: SyncJobCtx): boolean {
  const finished = ctx.finishedCondition;
  if (!finished) return false;
  const status = statusOf(ctx.job);
  const uncounted = status.uncountedTerminatedPods;
  if (uncounted.succeeded.length + uncounted.failed.length > 0) return false;
  if (ctx.terminating > 0) return false;
  const conditions = (status.conditions ??= []);
  ensureJobConditionStatus(conditions, finished, deps.clock.now());
  if (finished.type === JobComplete) status.completionTime = conditions.find((c) => c.type === JobComplete)?.lastTransitionTime;
  return true;
}

/** recordJobFinished: the events of a finished Job. */
async function recordJobFinished(deps: JobControllerDeps, job: Job, finished: JobCondition): Promise<void> {
  if (finished.type !== JobComplete) {
    await deps.recorder.event(job, "Warning", finished.reason ?? "", finished.message ?? "");
    return;
  }
  const completions = job.spec.completions;
  if (completions !== undefined && completions !== null && (job.status?.succeeded ?? 0) > completions) {
    await deps.recorder.event(job, "Warning", TooManySucceededPods, "Too many succeeded pods running after completion count reached");
  }
  await deps.recorder.event(job, "Normal", Completed, "Job completed");
}

/** updateJobStatus: PUT /status, compare-and-swap on the resourceVersion read (a conflict fails the sync). */
export async function updateJobStatus(deps: JobControllerDeps, job: Job): Promise<Job> {
  const stored = await deps.client.update(BATCH_JOBS, job.metadata.namespace, { ...job, status: wireStatus(job.status ?? {}) }, { subresource: "status" });
  return structuredClone(stored) as Job;
}

/** Upstream's wire form: zero counters and empty uid lists omitted; ready and terminating always. */
function wireStatus(status: JobStatus): JobStatus {
  const out: JobStatus = { ...status };
  for (const field of ["active", "succeeded", "failed"] as const) if (!out[field]) delete out[field];
  const uncounted = status.uncountedTerminatedPods ?? {};
  out.uncountedTerminatedPods = {
    ...(uncounted.succeeded?.length ? { succeeded: uncounted.succeeded } : {}),
    ...(uncounted.failed?.length ? { failed: uncounted.failed } : {}),
  };
  if (out.conditions?.length === 0) delete out.conditions;
  return out;
}
