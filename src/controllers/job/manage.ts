// manageJob (upstream job_controller.go): keeps min(parallelism, completions - succeeded) pods
// active (parallelism while nothing succeeded when completions is unset). Extra or duplicate-index
// pods are deleted (the tracking finalizer removed first); missing pods are created from the
// template with the tracking finalizer, in slow-start batches (1, 2, 4, ...), at most 500 per sync,
// after the pod failure backoff; indexed Jobs create the lowest pending indexes. A suspended Job
// deletes all its active pods. Expectations are raised before each write and lowered for writes
// that fail, so the next sync does not act on a cache that has not caught up.
import { StatusError } from "../../api/errors.js";
import { isNamespaceTerminating } from "../pod-control.js";
import { isPodReady, podKey, type PodTemplate } from "../pods.js";
import { SLOW_START_INITIAL_BATCH_SIZE } from "../slow-start.js";
import { getRemainingTime } from "./backoff.js";
import { addCompletionIndexEnvVariables, firstPendingIndexes, podGenerateNameWithIndex, splitDuplicatedIndexPods, templateForIndex } from "./indexed.js";
import { JOB_TRACKING_FINALIZER, isIndexedJob, isPodTerminating, jobSuspended, onlyReplaceFailedPods, type Job, type Pod } from "./objects.js";
import { sortActivePods } from "./pod-order.js";
import { requeueAfter, type JobControllerDeps, type SyncJobCtx } from "./sync-context.js";
import { removeTrackingFinalizerPatch } from "./tracking.js";

/** MaxPodCreateDeletePerSync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
/** syncJobBatchPeriod: the shortest delay before looking at a Job again after a backoff. */
export const SYNC_JOB_BATCH_PERIOD_MS = 1000;

export interface ManageResult {
  active: number;
  err?: unknown;
}

/** manageJob: the number of active pods after this sync's creations or deletions. */
export async function manageJob(deps: JobControllerDeps, ctx: SyncJobCtx): Promise<ManageResult> {
  const { job } = ctx;
  const active = ctx.activePods.length;
  if (jobSuspended(job)) return removePods(deps, ctx, activePodsForRemoval(job, ctx.activePods, active));
  const wantActive = wantActivePods(job, ctx.succeeded, active);
  const podsToDelete = activePodsForRemoval(job, ctx.activePods, Math.max(0, active - wantActive)).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
  // Deletion takes precedence: a sync either deletes or creates, never both.
  if (podsToDelete.length > 0) return removePods(deps, ctx, podsToDelete);
  const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
  const diff = wantActive - terminating - active;
  if (diff <= 0) return { active };
  const remainingMs = getRemainingTime(ctx.newBackoffRecord, deps.clock);
  if (remainingMs > 0) {
    requeueAfter(ctx, Math.max(remainingMs, SYNC_JOB_BATCH_PERIOD_MS));
    return { active };
  }
  return createPods(deps, ctx, Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC), active);
}

function wantActivePods(job: Job, succeeded: number, active: number): number {
  const parallelism = job.spec.parallelism ?? 1;
  const completions = job.spec.completions;
  // Without completions the Job is done once any pod succeeded: leave running what runs.
  if (completions === undefined || completions === null) return succeeded > 0 ? active : parallelism;
  return Math.max(0, Math.min(completions - succeeded, parallelism));
}

async function removePods(deps: JobControllerDeps, ctx: SyncJobCtx, pods: readonly Pod[]): Promise<ManageResult> {
  deps.expectations.expectDeletions(ctx.key, pods.map(podKey));
  const { deletedReady, deleted, err } = await deleteJobPods(deps, ctx, pods);
  ctx.terminating += deleted;
  ctx.ready -= deletedReady;
  return { active: ctx.activePods.length - deleted, err };
}

/**
 * activePodsForRemoval: for an indexed Job the pods with no, out-of-range or repeated indexes, then
 * (all Jobs) the least valuable active pods until there are rmAtLeast.
 */
export function activePodsForRemoval(job: Job, pods: readonly Pod[], rmAtLeast: number): Pod[] {
  const { rm, left } = isIndexedJob(job) ? splitDuplicatedIndexPods(pods, job.spec.completions ?? 0) : { rm: [], left: [...pods] };
  if (rm.length < rmAtLeast) rm.push(...sortActivePods(left).slice(0, rmAtLeast - rm.length));
  return rm;
}

interface DeleteOutcome {
  deletedReady: number;
  deleted: number;
  err?: unknown;
}

/** deleteJobPods: removes each pod's tracking finalizer, then deletes it. */
async function deleteJobPods(deps: JobControllerDeps, ctx: SyncJobCtx, pods: readonly Pod[]): Promise<DeleteOutcome> {
  const results = await Promise.all(pods.map((pod) => deleteJobPod(deps, ctx, pod)));
  return outcomeOf(pods, results);
}

async function deleteJobPod(deps: JobControllerDeps, ctx: SyncJobCtx, pod: Pod): Promise<unknown> {
  const name = pod.metadata.name ?? "";
  try {
    const patch = removeTrackingFinalizerPatch(pod);
    if (patch) await deps.podControl.patchPod(pod.metadata.namespace ?? "", name, patch);
    await deps.podControl.deletePod(ctx.job, name);
    return undefined;
  } catch (err) {
    // The informer will not observe this deletion.
    deps.expectations.deletionObserved(ctx.key, podKey(pod));
    return isNotFound(err) ? undefined : err;
  }
}

/** deleteActivePods: deletes the pods keeping their finalizers (removed once they are counted). */
export async function deleteActivePods(deps: JobControllerDeps, job: Job, pods: readonly Pod[]): Promise<DeleteOutcome> {
  const results = await Promise.all(
    pods.map(async (pod) => {
      try {
        await deps.podControl.deletePod(job, pod.metadata.name ?? "");
        return undefined;
      } catch (err) {
        return isNotFound(err) ? undefined : err;
      }
    }),
  );
  return outcomeOf(pods, results);
}

function outcomeOf(pods: readonly Pod[], errors: readonly unknown[]): DeleteOutcome {
  const failed = errors.filter((e) => e !== undefined);
  const deletedReady = pods.filter((pod, i) => errors[i] === undefined && isPodReady(pod)).length;
  return { deletedReady, deleted: pods.length - failed.length, err: failed[0] };
}

async function createPods(deps: JobControllerDeps, ctx: SyncJobCtx, wanted: number, active: number): Promise<ManageResult> {
  const { job } = ctx;
  const indexes = isIndexedJob(job) ? firstPendingIndexes(ctx.succeededIndexes, nonPendingPods(ctx), wanted, job.spec.completions ?? 0) : undefined;
  const diff = indexes ? indexes.length : wanted;
  deps.expectations.expectCreations(ctx.key, diff);
  const template = podTemplateOf(job);
  const plans = Array.from({ length: diff }, (_, i) => planPod(job, template, indexes?.[i]));
  const { created, err } = await slowStartCreate(plans, (plan) => createPod(deps, ctx, plan));
  // Pods never created will never be observed.
  for (let i = created; i < diff; i++) deps.expectations.creationObserved(ctx.key);
  return { active: active + created, err };
}

/** The pods that hold an index: active ones, and terminating ones when only failed pods are replaced. */
function nonPendingPods(ctx: SyncJobCtx): Pod[] {
  const terminating = onlyReplaceFailedPods(ctx.job) ? ctx.pods.filter(isPodTerminating) : [];
  return [...ctx.activePods, ...terminating];
}

/** The Job's template with the tracking finalizer (and, indexed, the index environment variable). */
function podTemplateOf(job: Job): PodTemplate {
  const template = structuredClone(job.spec.template ?? {});
  if (isIndexedJob(job)) addCompletionIndexEnvVariables(template);
  const metadata = (template.metadata ??= {});
  const finalizers = metadata.finalizers ?? [];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) metadata.finalizers = [...finalizers, JOB_TRACKING_FINALIZER];
  return template;
}

interface PodPlan {
  template: PodTemplate;
  generateName: string;
}

function planPod(job: Job, template: PodTemplate, index: number | undefined): PodPlan {
  const name = job.metadata.name ?? "";
  if (index === undefined) return { template, generateName: `${name}-` };
  return { template: templateForIndex(template, name, index), generateName: podGenerateNameWithIndex(name, index) };
}

/** One create; a namespace being terminated is not an error (every create would fail). */
async function createPod(deps: JobControllerDeps, ctx: SyncJobCtx, plan: PodPlan): Promise<void> {
  try {
    await deps.podControl.createPod(ctx.job, plan.template, plan.generateName);
  } catch (err) {
    if (!isNamespaceTerminating(err)) throw err;
  }
}

/**
 * Calls create for each item in batches of 1, 2, 4, ... (each batch concurrently), stopping after
 * a batch with a failure. Returns the number created (attempted minus failed) and the first error.
 */
export async function slowStartCreate<T>(items: readonly T[], create: (item: T) => Promise<void>): Promise<{ created: number; err?: unknown }> {
  let created = 0;
  let next = 0;
  for (let batch = Math.min(items.length, SLOW_START_INITIAL_BATCH_SIZE); batch > 0; batch = Math.min(2 * batch, items.length - next)) {
    const results = await Promise.allSettled(items.slice(next, next + batch).map(create));
    next += batch;
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    created += batch - failures.length;
    if (failures.length > 0) return { created, err: failures[0]?.reason };
  }
  return { created };
}

function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.code === 404;
}
