// The READY, STATUS and RESTARTS cells of `kubectl get pods`, computed as upstream's printPod
// (pkg/printers/internalversion, v1.32): init progress ("Init:0/1", "Init:CrashLoopBackOff"), the
// waiting or terminated reason of the last container that has one ("ContainerCreating",
// "CrashLoopBackOff", "OOMKilled", "Error", "Completed"), sidecars counted as containers,
// "Terminating" and "Unknown" for deleted pods, and restarts with "(5m ago)".
import type { KubeObject } from "../resource.js";
import { humanDuration } from "./duration.js";
import { booleanAt, numberAt, recordAt, recordsAt, stringAt, type JsonRecord } from "./object-fields.js";

export interface PodPrintState {
  ready: string;
  status: string;
  restarts: string;
}

interface Tally {
  reason: string;
  ready: number;
  restarts: number;
  lastRestart: number;
  sidecarRestarts: number;
  lastSidecarRestart: number;
}

export function podPrintState(pod: KubeObject, now: Date): PodPrintState {
  const spec = recordAt(pod, "spec") ?? {};
  const status = recordAt(pod, "status") ?? {};
  const sidecars = new Set(recordsAt(spec, "initContainers").filter((c) => stringAt(c, "restartPolicy") === "Always").map((c) => stringAt(c, "name") ?? ""));
  const total = recordsAt(spec, "containers").length + sidecars.size;
  const tally: Tally = { reason: initialReason(status), ready: 0, restarts: 0, lastRestart: 0, sidecarRestarts: 0, lastSidecarRestart: 0 };
  const initializing = tallyInitContainers(tally, recordsAt(status, "initContainerStatuses"), sidecars, recordsAt(spec, "initContainers").length);
  if (!initializing || hasCondition(status, "Initialized")) tallyContainers(tally, recordsAt(status, "containerStatuses"), status);
  const phase = stringAt(status, "phase") ?? "";
  if (pod.metadata?.deletionTimestamp && stringAt(status, "reason") === "NodeLost") tally.reason = "Unknown";
  else if (pod.metadata?.deletionTimestamp && phase !== "Succeeded" && phase !== "Failed") tally.reason = "Terminating";
  let restarts = String(tally.restarts);
  if (tally.restarts !== 0 && tally.lastRestart !== 0) restarts = `${tally.restarts} (${humanDuration(now.getTime() - tally.lastRestart)} ago)`;
  return { ready: `${tally.ready}/${total}`, status: tally.reason, restarts };
}

function initialReason(status: JsonRecord): string {
  let reason = stringAt(status, "reason") || (stringAt(status, "phase") ?? "");
  for (const condition of recordsAt(status, "conditions")) {
    if (stringAt(condition, "type") === "PodScheduled" && stringAt(condition, "reason") === "SchedulingGated") reason = "SchedulingGated";
  }
  return reason;
}

/** Walks init container statuses up to the first one still blocking; returns whether the pod is initializing. */
function tallyInitContainers(tally: Tally, statuses: JsonRecord[], sidecars: Set<string>, initCount: number): boolean {
  for (const [i, container] of statuses.entries()) {
    const count = numberAt(container, "restartCount") ?? 0;
    const finished = lastTerminationTime(container);
    tally.restarts += count;
    tally.lastRestart = Math.max(tally.lastRestart, finished);
    const sidecar = sidecars.has(stringAt(container, "name") ?? "");
    if (sidecar) {
      tally.sidecarRestarts += count;
      tally.lastSidecarRestart = Math.max(tally.lastSidecarRestart, finished);
    }
    const terminated = recordAt(container, "state", "terminated");
    const waitingReason = stringAt(container, "state", "waiting", "reason") ?? "";
    if (terminated && (numberAt(terminated, "exitCode") ?? 0) === 0) continue;
    if (sidecar && booleanAt(container, "started") === true) {
      if (booleanAt(container, "ready") === true) tally.ready++;
      continue;
    }
    if (terminated) tally.reason = `Init:${terminationReason(terminated)}`;
    else if (waitingReason !== "" && waitingReason !== "PodInitializing") tally.reason = `Init:${waitingReason}`;
    else tally.reason = `Init:${i}/${initCount}`;
    return true;
  }
  return false;
}

/** Regular containers, last to first: the first reason found (from the end) wins, as upstream. */
function tallyContainers(tally: Tally, statuses: JsonRecord[], status: JsonRecord): void {
  tally.restarts = tally.sidecarRestarts;
  tally.lastRestart = tally.lastSidecarRestart;
  let hasRunning = false;
  for (const container of [...statuses].reverse()) {
    tally.restarts += numberAt(container, "restartCount") ?? 0;
    tally.lastRestart = Math.max(tally.lastRestart, lastTerminationTime(container));
    const waitingReason = stringAt(container, "state", "waiting", "reason") ?? "";
    const terminated = recordAt(container, "state", "terminated");
    if (waitingReason !== "") tally.reason = waitingReason;
    else if (terminated) tally.reason = terminationReason(terminated);
    else if (booleanAt(container, "ready") === true && recordAt(container, "state", "running")) {
      hasRunning = true;
      tally.ready++;
    }
  }
  if (tally.reason === "Completed" && hasRunning) tally.reason = hasCondition(status, "Ready") ? "Running" : "NotReady";
}

/** The terminated reason, else "Signal:N" or "ExitCode:N". */
function terminationReason(terminated: JsonRecord): string {
  const reason = stringAt(terminated, "reason") ?? "";
  if (reason !== "") return reason;
  const signal = numberAt(terminated, "signal") ?? 0;
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${numberAt(terminated, "exitCode") ?? 0}`;
}

/** When the previous run of the container ended (lastState.terminated.finishedAt), or 0. */
function lastTerminationTime(container: JsonRecord): number {
  const finished = stringAt(container, "lastState", "terminated", "finishedAt");
  const at = finished ? Date.parse(finished) : NaN;
  return Number.isNaN(at) ? 0 : at;
}

function hasCondition(status: JsonRecord, type: string): boolean {
  const condition = recordsAt(status, "conditions").find((c) => stringAt(c, "type") === type);
  return stringAt(condition, "status") === "True";
}

/** The READINESS GATES cell: "<none>", or true gates out of all gates. */
export function readinessGates(pod: KubeObject): string {
  const gates = recordsAt(pod, "spec", "readinessGates");
  if (gates.length === 0) return "<none>";
  const conditions = recordsAt(pod, "status", "conditions");
  const satisfied = gates.filter((gate) => {
    const condition = conditions.find((c) => stringAt(c, "type") === stringAt(gate, "conditionType"));
    return stringAt(condition, "status") === "True";
  }).length;
  return `${satisfied}/${gates.length}`;
}
