// Pod failure backoff (upstream backoff_utils.go): after consecutive pod failures the Job waits
// before creating replacements, 10 s doubling per failure up to 10 minutes, counted from the
// failed pod's finish time. The record (failures since the last success, last failure time) is
// kept in memory per Job key; it is rebuilt from what the controller sees, so a restart forgets it.
import type { Clock } from "../../client/clock.js";
import { podReadyCondition } from "../pods.js";
import { timeMs } from "../../api/meta-time.js";
import type { Pod } from "./objects.js";

/** DefaultJobPodFailureBackOff. */
export const DEFAULT_JOB_POD_FAILURE_BACKOFF_MS = 10_000;
/** MaxJobPodFailureBackOff. */
export const MAX_JOB_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface BackoffRecord {
  key: string;
  failuresAfterLastSuccess: number;
  lastFailureTimeMs?: number;
}

export class BackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  updateBackoffRecord(record: BackoffRecord): void {
    this.records.set(record.key, { ...record });
  }

  removeBackoffRecord(key: string): void {
    this.records.delete(key);
  }

  /** newBackoffRecord: the stored record advanced by the pods that finished since the last sync. */
  newBackoffRecord(key: string, newSucceededPods: readonly Pod[], newFailedPods: readonly Pod[]): BackoffRecord {
    const old = this.records.get(key);
    const record: BackoffRecord = { key, failuresAfterLastSuccess: old?.failuresAfterLastSuccess ?? 0, lastFailureTimeMs: old?.lastFailureTimeMs };
    const failedTimes = newFailedPods.map(getFinishedTime).sort((a, b) => a - b);
    const succeededTimes = newSucceededPods.map(getFinishedTime).sort((a, b) => a - b);
    const lastSuccess = succeededTimes[succeededTimes.length - 1];
    if (lastSuccess === undefined) {
      if (failedTimes.length === 0) return record;
      return { key, failuresAfterLastSuccess: record.failuresAfterLastSuccess + failedTimes.length, lastFailureTimeMs: failedTimes[failedTimes.length - 1] };
    }
    // A success resets the count: only failures after the last success count.
    const after = failedTimes.filter((t) => t > lastSuccess);
    return { key, failuresAfterLastSuccess: after.length, lastFailureTimeMs: after[after.length - 1] };
  }
}

/**
 * getFinishedTime: the latest container finish time when every container terminated; else the
 * time Ready turned False; else the deletion time minus the grace period; else the creation time.
 */
export function getFinishedTime(pod: Pod): number {
  return finishTimeFromContainers(pod) ?? finishTimeFromReadyFalse(pod) ?? finishTimeFromDeletion(pod) ?? timeMs(pod.metadata.creationTimestamp) ?? 0;
}

function finishTimeFromContainers(pod: Pod): number | undefined {
  let latest: number | undefined;
  for (const status of pod.status?.containerStatuses ?? []) {
    const finishedAt = timeMs(status.state?.terminated?.finishedAt);
    if (finishedAt === undefined) return undefined;
    if (latest === undefined || finishedAt > latest) latest = finishedAt;
  }
  return latest;
}

function finishTimeFromReadyFalse(pod: Pod): number | undefined {
  const ready = podReadyCondition(pod);
  return ready?.status === "False" ? timeMs(ready.lastTransitionTime) : undefined;
}

function finishTimeFromDeletion(pod: Pod): number | undefined {
  const deletedAt = timeMs(pod.metadata.deletionTimestamp);
  return deletedAt === undefined ? undefined : deletedAt - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
}

/** getRemainingTime: how long to wait before creating pods again (0: now). */
export function getRemainingTime(record: BackoffRecord, clock: Clock, defaultMs = DEFAULT_JOB_POD_FAILURE_BACKOFF_MS, maxMs = MAX_JOB_POD_FAILURE_BACKOFF_MS): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTimeMs === undefined) return 0;
  let backoff = defaultMs;
  for (let i = 1; i < record.failuresAfterLastSuccess; i++) {
    backoff *= 2;
    if (backoff >= maxMs) {
      backoff = maxMs;
      break;
    }
  }
  const elapsed = clock.now() - record.lastFailureTimeMs;
  return backoff < elapsed ? 0 : backoff - elapsed;
}
