// The CronJob controller (upstream pkg/controller/cronjob/cronjob_controllerv2.go): creates a Job
// from spec.jobTemplate at each time spec.schedule names (in spec.timeZone), honouring
// startingDeadlineSeconds, concurrencyPolicy (Allow, Forbid, Replace) and suspend, keeps
// status.active, lastScheduleTime and lastSuccessfulTime, and prunes finished Jobs beyond the
// history limits. A reconcile reads the CronJob and the Jobs it controls from the caches, works on a
// copy (cronjob/sync.ts), writes status once (compare-and-swap) and asks to run again at the next
// start, computed with the injected clock (cronjob/schedule.ts). Job events map to the owning
// CronJob's key. Events: SuccessfulCreate, SuccessfulDelete, SawCompletedJob, JobAlreadyActive,
// MissSchedule, UnexpectedJob, MissingJob, FailedCreate, FailedDelete, TooManyMissedTimes...
import type { Clock } from "../client/clock.js";
import { defineController, enqueueOwner, objectKey, type Controller, type ReconcileResult } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { controllerRefOf } from "./controller-ref.js";
import { BATCH_CRONJOBS, BATCH_JOBS, type CronJob } from "./cronjob/objects.js";
import { nextScheduleTimeDuration, scheduleOf } from "./cronjob/schedule.js";
import { cleanupFinishedJobs, syncCronJob, type CronJobDeps } from "./cronjob/sync.js";
import type { Job } from "./job/objects.js";

export * from "./cronjob/objects.js";

export const cronJobController: ControllerRegistration = {
  name: "cronjob",
  component: "cronjob-controller",
  create: (ctx) => new CronJobController(ctx).controller,
};

class CronJobController {
  readonly controller: Controller;
  private readonly cronJobInformer: Informer;
  private readonly jobInformer: Informer;
  private readonly deps: CronJobDeps;

  constructor(ctx: ControllerContext) {
    this.cronJobInformer = ctx.informers.informerFor(BATCH_CRONJOBS);
    this.jobInformer = ctx.informers.informerFor(BATCH_JOBS);
    this.deps = { client: ctx.client, recorder: ctx.recorder, clock: ctx.clock };
    this.controller = defineController({
      name: "cronjob",
      workers: 5,
      clock: ctx.clock,
      logger: ctx.log,
      watches: [
        { informer: this.cronJobInformer, keys: (cj) => [objectKey(cj)] },
        { informer: this.jobInformer, keys: enqueueOwner({ kind: "CronJob", group: "batch" }) },
      ],
      reconcile: (key) => this.sync(key),
    });
  }

  /** sync: cleanup, then syncCronJob, then one status write; requeue at the next start. */
  private async sync(key: string): Promise<ReconcileResult> {
    const cached = this.cronJobInformer.get(key) as CronJob | undefined;
    if (!cached) return;
    const jobs = this.getJobsToBeReconciled(cached);
    const cj = structuredClone(cached);
    const cleaned = await cleanupFinishedJobs(this.deps, cj, jobs);
    const { requeueAfterMs, updateStatus } = await syncCronJob(this.deps, cj, jobs);
    if (cleaned || updateStatus) await this.updateStatus(cj);
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }

  /** The Jobs of the namespace whose controller reference names this CronJob (upstream matches by name). */
  private getJobsToBeReconciled(cj: CronJob): Job[] {
    return (this.jobInformer.list(cj.metadata.namespace) as Job[]).filter((job) => {
      const ref = controllerRefOf(job);
      return ref !== undefined && ref.name === cj.metadata.name;
    });
  }

  /** UpdateStatus: compare-and-swap on the cached resourceVersion; a conflict retries the sync. */
  private async updateStatus(cj: CronJob): Promise<void> {
    const status = { ...cj.status };
    if (status.active?.length === 0) delete status.active;
    await this.deps.client.update(BATCH_CRONJOBS, cj.metadata.namespace, { ...cj, status }, { subresource: "status" });
  }
}

/** How long the controller waits before looking at cj again, by the clock: the next start plus 100 ms. */
export function requeueAfterFor(cj: CronJob, clock: Clock): number | undefined {
  const schedule = scheduleOf(cj);
  return typeof schedule === "string" ? undefined : nextScheduleTimeDuration(cj, clock.now(), schedule);
}
