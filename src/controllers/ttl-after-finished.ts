// The TTL-after-finished controller (upstream pkg/controller/ttlafterfinished): deletes a finished
// Job (Complete or Failed) once spec.ttlSecondsAfterFinished has passed since it finished (the
// finishing condition's lastTransitionTime). Until then the Job is looked at again when its TTL
// expires. Before deleting, a fresh read re-checks the TTL (the user may have changed it); the
// delete carries the uid as a precondition and cascades in the foreground, as upstream does, so the
// Job goes only after its pods. Jobs being deleted, unfinished, or without a TTL are left alone.
import { StatusError } from "../api/errors.js";
import { defineController, objectKey, splitKey, type Controller, type ReconcileResult } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { BATCH_JOBS, finishedCondition, type Job } from "./job/objects.js";
import { timeMs } from "../api/meta-time.js";

/** Upstream deletes expired Jobs with foreground cascading deletion. */
export const TTL_DELETE_PROPAGATION = "Foreground";

export const ttlAfterFinishedController: ControllerRegistration = {
  name: "ttl-after-finished",
  component: "ttl-after-finished-controller",
  create: createTTLAfterFinishedController,
};

function createTTLAfterFinishedController(ctx: ControllerContext): Controller {
  const jobs = ctx.informers.informerFor(BATCH_JOBS);
  return defineController({
    name: "ttl-after-finished",
    workers: 5,
    clock: ctx.clock,
    logger: ctx.log,
    watches: [{ informer: jobs, keys: (job) => (needsCleanup(job as Job) ? [objectKey(job)] : []) }],
    reconcile: (key) => processJob(ctx, jobs, key),
  });
}

/** processJob: deletes the Job if its TTL truly expired, or looks again when it will. */
async function processJob(ctx: ControllerContext, jobs: Informer, key: string): Promise<ReconcileResult> {
  const cached = jobs.get(key) as Job | undefined;
  if (!cached || cached.metadata.deletionTimestamp || !needsCleanup(cached)) return;
  const left = timeLeft(cached, ctx.clock.now());
  if (left > 0) return { requeueAfterMs: left };
  // The cached TTL may be stale: decide on a fresh read.
  const { namespace, name } = splitKey(key);
  let fresh: Job;
  try {
    fresh = (await ctx.client.get(BATCH_JOBS, namespace, name)) as Job;
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return;
    throw err;
  }
  if (fresh.metadata.deletionTimestamp || !needsCleanup(fresh)) return;
  const freshLeft = timeLeft(fresh, ctx.clock.now());
  if (freshLeft > 0) return { requeueAfterMs: freshLeft };
  ctx.log.debug("cleaning up job", { key });
  await ctx.client.delete(BATCH_JOBS, namespace, name, { propagationPolicy: TTL_DELETE_PROPAGATION, preconditions: { uid: fresh.metadata.uid } });
}

/** needsCleanup: finished, with ttlSecondsAfterFinished set. */
export function needsCleanup(job: Job): boolean {
  return job.spec?.ttlSecondsAfterFinished !== undefined && job.spec.ttlSecondsAfterFinished !== null && finishedCondition(job) !== undefined;
}

/** timeLeft: milliseconds until the TTL expires (<= 0: expired). */
export function timeLeft(job: Job, nowMs: number): number {
  const finishAt = timeMs(finishedCondition(job)?.lastTransitionTime);
  if (finishAt === undefined) throw new Error(`unable to find the time when the Job ${objectKey(job)} finished`);
  return finishAt + (job.spec.ttlSecondsAfterFinished ?? 0) * 1000 - nowMs;
}
