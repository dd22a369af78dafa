// What the StatefulSet controller asks of a pod's state (upstream stateful_set_utils.go): created
// (the API server gave it a phase), Pending, finished, terminating, Running and Ready, available
// (ready for minReadySeconds) and, together, unavailable. Pure.
import { isPodAvailable, isPodReady } from "../pods.js";
import type { StatefulPod } from "./objects.js";

/** isCreated: the pod exists in the API (a pod built for creation has no phase yet). */
export function isCreated(pod: StatefulPod): boolean {
  return (pod.status?.phase ?? "") !== "";
}

export function isPending(pod: StatefulPod): boolean {
  return pod.status?.phase === "Pending";
}

export function isFailed(pod: StatefulPod): boolean {
  return pod.status?.phase === "Failed";
}

export function isSucceeded(pod: StatefulPod): boolean {
  return pod.status?.phase === "Succeeded";
}

export function isTerminating(pod: StatefulPod): boolean {
  return pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
}

export function isRunningAndReady(pod: StatefulPod): boolean {
  return pod.status?.phase === "Running" && isPodReady(pod);
}

/** isRunningAndAvailable: ready for at least minReadySeconds. */
export function isRunningAndAvailable(pod: StatefulPod, minReadySeconds: number, nowMs: number): boolean {
  return isPodAvailable(pod, minReadySeconds, nowMs);
}

/** isUnavailable: not created, terminating, or not available. */
export function isUnavailable(pod: StatefulPod, minReadySeconds: number, nowMs: number): boolean {
  return !isCreated(pod) || isTerminating(pod) || !isRunningAndAvailable(pod, minReadySeconds, nowMs);
}
