// What one syncJob works with (upstream's syncJobCtx) and the controller's collaborators that the
// phases share: the working copy of the Job (a deep copy of the cached object, so it may be
// changed), its pods as claimed from the cache (shared: never mutated), the counters computed so
// far, the condition the Job is about to finish with, and the earliest time to look again.
import type { Client } from "../../client/client.js";
import type { Clock } from "../../client/clock.js";
import type { EventRecorder } from "../../client/event-recorder.js";
import type { Logger } from "../../log.js";
import type { ControllerExpectations } from "../expectations.js";
import type { BackoffRecord, BackoffStore } from "./backoff.js";
import type { OrderedIntervals } from "./indexed.js";
import type { Job, JobCondition, Pod } from "./objects.js";
import type { JobPodControl } from "./pod-control.js";
import type { FinalizerExpectations } from "./tracking.js";

export interface JobControllerDeps {
  client: Client;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  podControl: JobPodControl;
  /** Pod creations and deletions not yet seen in the informer, per Job key. */
  expectations: ControllerExpectations;
  /** Tracking-finalizer removals not yet seen in the informer, per Job key. */
  finalizerExpectations: FinalizerExpectations;
  backoffStore: BackoffStore;
}

export interface SyncJobCtx {
  key: string;
  job: Job;
  pods: readonly Pod[];
  activePods: readonly Pod[];
  /** The condition the Job finishes with (interim FailureTarget/SuccessCriteriaMet first). */
  finishedCondition?: JobCondition;
  succeeded: number;
  failed: number;
  prevSucceededIndexes: OrderedIntervals;
  succeededIndexes: OrderedIntervals;
  newBackoffRecord: BackoffRecord;
  expectedRmFinalizers: ReadonlySet<string>;
  uncounted: { succeeded: ReadonlySet<string>; failed: ReadonlySet<string> };
  terminating: number;
  ready: number;
  /** The earliest time this Job must be looked at again (deadline, pod failure backoff). */
  requeueAfterMs?: number;
}

/** Keeps the earliest of the requested requeues. */
export function requeueAfter(ctx: SyncJobCtx, ms: number): void {
  const at = Math.max(0, ms);
  ctx.requeueAfterMs = ctx.requeueAfterMs === undefined ? at : Math.min(ctx.requeueAfterMs, at);
}
