// The events the prober records, worded as upstream's kubelet (pkg/kubelet/events and prober.go):
// "Liveness probe failed: ...", "Readiness probe warning: ...", and the kill that follows a failed
// liveness or startup probe, "Container NAME failed liveness probe, will be restarted".

export type ProbeKind = "liveness" | "readiness" | "startup";

export const Unhealthy = "Unhealthy";
export const ProbeWarning = "ProbeWarning";
export const Killing = "Killing";

export type ProbeEventType = "Normal" | "Warning";

/** An event about one container of a pod, for the agent to record (involvedObject: the pod, fieldPath spec.containers{NAME}). */
export interface ProbeEvent {
  podUid: string;
  podName: string;
  namespace: string;
  containerName: string;
  type: ProbeEventType;
  reason: string;
  message: string;
}

/** Upstream's probeType String: "Liveness", "Readiness", "Startup". */
export function probeTypeName(kind: ProbeKind): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

export function failedMessage(kind: ProbeKind, output: string): string {
  return `${probeTypeName(kind)} probe failed: ${output}`;
}

export function warningMessage(kind: ProbeKind, output: string): string {
  return `${probeTypeName(kind)} probe warning: ${output}`;
}

export function erroredMessage(kind: ProbeKind, output: string): string {
  return `${probeTypeName(kind)} probe errored and resulted in unknown state: ${output}`;
}

/** kuberuntime's message when it kills a container for a failed liveness or startup probe. */
export function killingMessage(containerName: string, kind: "liveness" | "startup", willRestart: boolean): string {
  return `Container ${containerName} failed ${kind} probe${willRestart ? ", will be restarted" : ""}`;
}
