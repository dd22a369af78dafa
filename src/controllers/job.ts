// The Job controller (upstream pkg/controller/job/job_controller.go): runs a Job's pods to
// completion. syncJob reads the Job and the pods of its namespace from the shared caches, claims
// the pods its selector matches (adopting orphans, which get the tracking finalizer), then
// job/sync.ts counts, decides and converges, job/manage.ts creates and deletes pods and
// job/status.ts counts finished pods through status.uncountedTerminatedPods and the
// batch.kubernetes.io/job-tracking finalizer and finishes the Job. A second loop
// (job/orphan-pods.ts) strips the finalizer from pods no Job will count. Expectations keep a sync
// from acting on a cache that has not yet seen the controller's own pod writes.
// Level-triggered: pod and Job events only map to keys and update expectations.
// Events: SuccessfulCreate, FailedCreate, SuccessfulDelete, FailedDelete, Completed,
// BackoffLimitExceeded, DeadlineExceeded, TooManySucceededPods, Suspended, Resumed.
import type { KubeObject } from "../api/resource.js";
import { selectorOf } from "../api/resources/label-selectors.js";
import { CORE_V1 } from "../client/client.js";
import { TerminalError, defineController, keyFor, objectKey, type Controller, type KeyMapper, type ReconcileResult } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import { ExponentialBackoffLimiter } from "../client/rate-limiter.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { BackoffStore } from "./job/backoff.js";
import { orphanPodController } from "./job/orphan-pods.js";
import {
  BATCH_JOBS, JOB_TRACKING_FINALIZER, UnknownCompletionMode, hasJobTrackingFinalizer, isJobFinished, managedByExternalController, type Job, type Pod,
} from "./job/objects.js";
import { claimObjects, recheckDeletionTimestamp } from "./controller-ref-manager.js";
import { controllerRefOf, newControllerRef } from "./controller-ref.js";
import { ControllerExpectations } from "./expectations.js";
import { JobPodControl } from "./job/pod-control.js";
import type { JobControllerDeps } from "./job/sync-context.js";
import { syncJob } from "./job/sync.js";
import { FinalizerExpectations } from "./job/tracking.js";
import { podKey } from "./pods.js";
import { CONTROLLER_UID_INDEX, controllerUid } from "./replicaset.js";

export {
  BackoffLimitExceeded, Completed, DeadlineExceeded, JOB_COMPLETION_INDEX_ANNOTATION, JOB_TRACKING_FINALIZER, Resumed, Suspended, TooManySucceededPods,
  UnknownCompletionMode,
} from "./job/objects.js";
export { FailedCreate, FailedDelete, SuccessfulCreate, SuccessfulDelete } from "./pod-control.js";

const PODS = CORE_V1("pods");
const JOB_KIND = "Job";
const COMPLETION_MODES = ["NonIndexed", "Indexed"];
/** DefaultJobApiBackOff and MaxJobApiBackOff: how a failing sync is retried (per Job, no shared bucket). */
export const JOB_API_BACKOFF = { baseDelayMs: 1000, maxDelayMs: 60_000 };

export const jobController: ControllerRegistration = {
  name: "job",
  component: "job-controller",
  create: (ctx) => new JobController(ctx).controller,
};

class JobController {
  readonly controller: Controller;
  private readonly jobInformer: Informer;
  private readonly podInformer: Informer;
  private readonly deps: JobControllerDeps;

  constructor(private readonly ctx: ControllerContext) {
    this.jobInformer = ctx.informers.informerFor(BATCH_JOBS);
    this.podInformer = ctx.informers.informerFor(PODS);
    this.podInformer.addIndexer(CONTROLLER_UID_INDEX, controllerUid);
    const podControl = new JobPodControl(ctx.client, ctx.recorder);
    this.deps = {
      client: ctx.client,
      recorder: ctx.recorder,
      clock: ctx.clock,
      log: ctx.log,
      podControl,
      expectations: new ControllerExpectations(ctx.clock),
      finalizerExpectations: new FinalizerExpectations(),
      backoffStore: new BackoffStore(),
    };
    this.observePodsForExpectations();
    const main = defineController({
      name: "job",
      workers: 5,
      clock: ctx.clock,
      logger: ctx.log,
      watches: [
        { informer: this.jobInformer, keys: (job) => [objectKey(job)] },
        { informer: this.podInformer, keys: this.podToJobs },
      ],
      reconcile: (key) => this.syncJob(key),
      rateLimiter: new ExponentialBackoffLimiter(JOB_API_BACKOFF),
    });
    const orphans = orphanPodController({
      podInformer: this.podInformer,
      jobInformer: this.jobInformer,
      podControl,
      resolveControllerRef: (obj) => this.resolveControllerRef(obj),
      clock: ctx.clock,
      log: ctx.log,
    });
    this.controller = controllerPair(main, orphans);
  }

  /** syncJob: converge one Job's pods and status (nothing for a deleted or finished Job). */
  private async syncJob(key: string): Promise<ReconcileResult> {
    const shared = this.jobInformer.get(key) as Job | undefined;
    if (!shared) {
      this.deps.expectations.delete(key);
      this.deps.finalizerExpectations.deleteExpectations(key);
      this.deps.backoffStore.removeBackoffRecord(key);
      return;
    }
    if (managedByExternalController(shared)) return;
    if (isJobFinished(shared)) {
      this.deps.backoffStore.removeBackoffRecord(key);
      return;
    }
    if (shared.spec.completionMode !== undefined && !COMPLETION_MODES.includes(shared.spec.completionMode)) {
      await this.ctx.recorder.event(shared, "Warning", UnknownCompletionMode, "Skipped Job sync because completion mode is unknown");
      return;
    }
    // Checked before listing pods: a pod created after the check is seen by the next sync.
    const satisfiedExpectations = this.deps.expectations.satisfied(key);
    const job = structuredClone(shared);
    const pods = await this.getPodsForJob(job);
    return syncJob(this.deps, { key, job, pods, satisfiedExpectations });
  }

  /** getPodsForJob: the pods of the namespace the Job controls after adoption and release. */
  private async getPodsForJob(job: Job): Promise<Pod[]> {
    const selector = selectorOf(job.spec.selector);
    if (!selector) throw new TerminalError(`couldn't convert Job selector of ${objectKey(job)}`);
    const pods = this.podInformer.list(job.metadata.namespace) as Pod[];
    const claimed = await claimObjects(pods, {
      client: this.ctx.client,
      resource: PODS,
      kind: "Pod",
      owner: job,
      controllerRef: newControllerRef(job, "batch/v1", JOB_KIND),
      selector,
      canAdopt: recheckDeletionTimestamp(this.ctx.client, BATCH_JOBS, job, JOB_KIND),
    });
    return Promise.all(claimed.map((pod) => this.withTrackingFinalizer(job, pod)));
  }

  /** An adopted pod gets the tracking finalizer (upstream adds it in the adoption patch). */
  private async withTrackingFinalizer(job: Job, pod: Pod): Promise<Pod> {
    const adopted = controllerRefOf(pod)?.uid !== job.metadata.uid;
    if (!adopted || hasJobTrackingFinalizer(pod)) return pod;
    const finalizers = [...(pod.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
    await this.deps.podControl.patchPod(pod.metadata.namespace ?? "", pod.metadata.name ?? "", { metadata: { finalizers } });
    return { ...pod, metadata: { ...pod.metadata, finalizers } };
  }

  /** Pod → the Job controlling it, or for an orphan every Job whose selector matches it. */
  private readonly podToJobs: KeyMapper = (pod) => {
    const job = this.resolveControllerRef(pod);
    if (job) return [objectKey(job)];
    if (controllerRefOf(pod)) return [];
    return (this.jobInformer.list(pod.metadata?.namespace) as Job[])
      .filter((j) => {
        const selector = selectorOf(j.spec.selector);
        return selector !== undefined && !selector.isEmpty() && selector.matches(pod.metadata?.labels);
      })
      .map(objectKey);
  };

  /** The cached Job the object's controller reference names, if it is still that Job. */
  private resolveControllerRef(obj: KubeObject): Job | undefined {
    const ref = controllerRefOf(obj);
    if (!ref || ref.kind !== JOB_KIND) return undefined;
    const job = this.jobInformer.get(keyFor(obj.metadata?.namespace, ref.name)) as Job | undefined;
    return job?.metadata.uid === ref.uid ? job : undefined;
  }

  /** Upstream's addPod/updatePod/deletePod bookkeeping of expectations (never decides what to do). */
  private observePodsForExpectations(): void {
    const deleted = (pod: KubeObject, final: boolean) => {
      const job = this.resolveControllerRef(pod);
      if (!job || isJobFinished(job)) return;
      const key = objectKey(job);
      this.deps.expectations.deletionObserved(key, podKey(pod));
      if (final || !hasJobTrackingFinalizer(pod)) this.deps.finalizerExpectations.finalizerRemovalObserved(key, pod.metadata?.uid ?? "");
    };
    this.podInformer.addEventHandler({
      onAdd: (pod) => {
        if (pod.metadata?.deletionTimestamp) return deleted(pod, false);
        const job = this.resolveControllerRef(pod);
        if (job) this.deps.expectations.creationObserved(objectKey(job));
      },
      onUpdate: (oldPod, newPod) => {
        if (newPod.metadata?.deletionTimestamp) return deleted(newPod, false);
        if (hasJobTrackingFinalizer(newPod)) return;
        for (const owner of new Set([this.resolveControllerRef(oldPod), this.resolveControllerRef(newPod)])) {
          if (owner) this.deps.finalizerExpectations.finalizerRemovalObserved(objectKey(owner), newPod.metadata?.uid ?? "");
        }
      },
      onDelete: (pod) => deleted(pod, true),
    });
  }
}

/** Upstream runs the Job queue and the orphan-pod queue side by side: one Controller for both. */
function controllerPair(main: Controller, other: Controller): Controller {
  return {
    name: main.name,
    queue: main.queue,
    start: async () => {
      await Promise.all([main.start(), other.start()]);
    },
    stop: async () => {
      await Promise.all([main.stop(), other.stop()]);
    },
    enqueue: (key) => main.enqueue(key),
    enqueueAfter: (key, ms) => main.enqueueAfter(key, ms),
  };
}
