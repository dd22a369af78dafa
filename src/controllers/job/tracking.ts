// Job tracking with finalizers (upstream tracking_utils.go): every pod a Job creates carries the
// batch.kubernetes.io/job-tracking finalizer, so a finished pod cannot vanish before the Job has
// counted it. The controller first records the pod's uid in status.uncountedTerminatedPods, then
// removes the finalizer, then moves the uid into the succeeded/failed counters. Between the removal
// request and seeing it in the informer, the uid is "expected": such pods are not counted twice.
import { JOB_TRACKING_FINALIZER, hasJobTrackingFinalizer } from "./objects.js";
import type { KubeObject } from "../../api/resource.js";

/** uidTrackingExpectations: per Job key, the pod uids whose finalizer removal is not yet observed. */
export class FinalizerExpectations {
  private readonly byKey = new Map<string, Set<string>>();

  /** getExpectedUIDs: a copy, safe to keep across awaits. */
  getExpectedUIDs(jobKey: string): Set<string> {
    return new Set(this.byKey.get(jobKey) ?? []);
  }

  expectFinalizersRemoved(jobKey: string, uids: readonly string[]): void {
    let set = this.byKey.get(jobKey);
    if (!set) this.byKey.set(jobKey, (set = new Set()));
    for (const uid of uids) set.add(uid);
  }

  finalizerRemovalObserved(jobKey: string, uid: string): void {
    this.byKey.get(jobKey)?.delete(uid);
  }

  deleteExpectations(jobKey: string): void {
    this.byKey.delete(jobKey);
  }
}

/** removeTrackingFinalizerPatch: the strategic merge patch removing the finalizer, or undefined. */
export function removeTrackingFinalizerPatch(pod: KubeObject): Record<string, unknown> | undefined {
  if (!hasJobTrackingFinalizer(pod)) return undefined;
  return { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] } };
}
