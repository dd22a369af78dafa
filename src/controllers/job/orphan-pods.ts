// The Job controller's second queue (upstream orphanQueue and syncOrphanPod): pods that still hold
// the batch.kubernetes.io/job-tracking finalizer but no live, unfinished Job will ever count them
// (the Job was deleted or finished, or the pod lost its controller reference) get the finalizer
// removed, so they can go. Keys are pod keys; a pod controlled by something other than a
// batch/v1 Job, or adopted by a running Job, is left alone. Level-triggered like the main loop.
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/resource.js";
import type { Clock } from "../../client/clock.js";
import { defineController, objectKey, type Controller, type KeyMapper } from "../../client/controller.js";
import type { Informer } from "../../client/informer.js";
import { ExponentialBackoffLimiter } from "../../client/rate-limiter.js";
import type { Logger } from "../../log.js";
import { controllerRefOf } from "../controller-ref.js";
import { podKey } from "../pods.js";
import { CONTROLLER_UID_INDEX } from "../replicaset.js";
import { hasJobTrackingFinalizer, isJobFinished, managedByExternalController, type Job } from "./objects.js";
import type { JobPodControl } from "./pod-control.js";
import { removeTrackingFinalizerPatch } from "./tracking.js";

export interface OrphanPodOptions {
  podInformer: Informer;
  jobInformer: Informer;
  podControl: JobPodControl;
  /** The cached Job the object's controller reference names, if it is still that Job. */
  resolveControllerRef(obj: KubeObject): Job | undefined;
  clock: Clock;
  log: Logger;
}

export function orphanPodController(options: OrphanPodOptions): Controller {
  const { podInformer, jobInformer } = options;
  return defineController({
    name: "job-orphan-pod",
    clock: options.clock,
    logger: options.log,
    watches: [
      { informer: podInformer, keys: podNeedingCleanup(options) },
      { informer: jobInformer, keys: podsOfGoneJob(options) },
    ],
    reconcile: (key) => syncOrphanPod(options, key),
    // Upstream's orphanQueue retries as the Job queue does: 1 s doubling to 1 minute.
    rateLimiter: new ExponentialBackoffLimiter({ baseDelayMs: 1000, maxDelayMs: 60_000 }),
  });
}

/** A pod with the finalizer whose Job will not remove it. */
function podNeedingCleanup(options: OrphanPodOptions): KeyMapper {
  return (pod) => (hasJobTrackingFinalizer(pod) && !countedByLiveJob(options, pod) ? [podKey(pod)] : []);
}

/** A finished or deleted Job: its pods that still hold the finalizer (upstream cleanupPodFinalizers). */
function podsOfGoneJob(options: OrphanPodOptions): KeyMapper {
  return (obj) => {
    const cached = options.jobInformer.get(objectKey(obj)) as Job | undefined;
    if (cached && cached.metadata.uid === obj.metadata?.uid && !isJobFinished(cached)) return [];
    const pods = options.podInformer.byIndex(CONTROLLER_UID_INDEX, obj.metadata?.uid ?? "");
    return pods.filter(hasJobTrackingFinalizer).map(podKey);
  };
}

/** The pod is controlled by something that is not a batch/v1 Job, or by a Job that will count it. */
function countedByLiveJob(options: OrphanPodOptions, pod: KubeObject): boolean {
  const ref = controllerRefOf(pod);
  if (!ref) return false;
  if (ref.kind !== "Job" || ref.apiVersion !== "batch/v1") return true;
  const job = options.resolveControllerRef(pod);
  if (!job) return false;
  // Pods of a Job another controller manages are that controller's to clean.
  return managedByExternalController(job) !== undefined || !isJobFinished(job);
}

/** syncOrphanPod: removes the tracking finalizer if the pod is still an orphan. */
async function syncOrphanPod(options: OrphanPodOptions, key: string): Promise<void> {
  const pod = options.podInformer.get(key);
  if (!pod || countedByLiveJob(options, pod)) return;
  const patch = removeTrackingFinalizerPatch(pod);
  if (!patch) return;
  try {
    await options.podControl.patchPod(pod.metadata?.namespace ?? "", pod.metadata?.name ?? "", patch);
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
  }
}
